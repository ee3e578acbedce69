// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.transport.Transport;
import io.runnel.engine.App;
import io.runnel.testkit.FastCoordination;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Apps for end-to-end tests, with {@code default_serializer=avro} and timings fast enough for
 * tests, and the tests' own connections; all closed after each test. Register as an instance
 * field: {@code @RegisterExtension final AvroApps apps = new AvroApps(redis);}.
 */
final class AvroApps implements AfterEachCallback {
    private static final AtomicInteger NEXT = new AtomicInteger();

    private final RedisExtension redis;
    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    AvroApps(RedisExtension redis) {
        this.redis = redis;
    }

    /** A name no other test uses (memory stores live as long as the JVM). */
    static String uniqueName(String prefix) {
        return prefix + NEXT.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100000, 36);
    }

    /** An app on the transport; several apps built with the same name are workers of one app. */
    App app(TransportKind transport, String name, Consumer<App.Builder> customize) {
        App.Builder builder = App.builder(name)
                .environment(Map.of())
                .setting("default_serializer", "avro")
                .setting("default_partition_count", 2);
        FastCoordination.settings().forEach(builder::setting);
        transport.configure(builder, name, transport.isRedis() ? redis.url() : null);
        customize.accept(builder);
        App app = builder.build();
        open.add(app);
        return app;
    }

    App app(TransportKind transport, String name) {
        return app(transport, name, b -> { });
    }

    /** The test's own connection to what the app named {@code name} uses. */
    Transport raw(TransportKind transport, String name) {
        Transport t = transport.open(name, transport.isRedis() ? redis.url() : null);
        open.add(t);
        return t;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
    }
}
