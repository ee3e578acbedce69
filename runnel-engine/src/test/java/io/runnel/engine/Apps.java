// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The apps a test creates, closed (workers stopped, connections released) after each test.
 * Register as an instance field: {@code @RegisterExtension final Apps apps = new Apps(redis);}.
 */
final class Apps implements AfterEachCallback {
    private final RedisExtension redis;
    private final List<App> open = new CopyOnWriteArrayList<>();

    Apps(RedisExtension redis) {
        this.redis = redis;
    }

    /** A test app on the shared Redis through Lettuce. */
    App app(String name) {
        return app(TransportKind.LETTUCE, name, b -> { });
    }

    /** A test app on the shared Redis through Lettuce, with settings changed by {@code customize}. */
    App app(String name, Consumer<App.Builder> customize) {
        return app(TransportKind.LETTUCE, name, customize);
    }

    /** A test app on the given transport, with settings changed by {@code customize}. */
    App app(TransportKind transport, String name, Consumer<App.Builder> customize) {
        App.Builder builder = TestApps.builder(name, redis.url());
        transport.configure(builder, name, redis.url());
        customize.accept(builder);
        App app = builder.build();
        open.add(app);
        return app;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        for (App app : open) {
            app.close();
        }
        open.clear();
    }
}
