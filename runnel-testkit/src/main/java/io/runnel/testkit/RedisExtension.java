// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives tests a Redis server shared by the whole JVM and empties it before each test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static RedisExtension redis = new RedisExtension();
 *
 * @Test
 * void writes() {
 *     try (Transport transport = open(redis.url())) { ... }
 * }
 * }</pre>
 *
 * <p>The server starts on first use (see {@link RedisServer#start(String...)} for where it
 * comes from) and stops when the JVM exits. Because every test starts with FLUSHALL, tests
 * that share it must not run concurrently; a test that needs special options, or to stop
 * the server, starts its own {@link RedisServer}.
 */
public final class RedisExtension implements BeforeEachCallback {
    private static final SharedFixture<RedisServer> SHARED = new SharedFixture<>("runnel-redis-shared-stop", RedisServer::start);

    /** An extension on the JVM's shared server, which starts on first use. */
    public RedisExtension() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server().flushAll();
    }

    /**
     * The shared server, started on the first call.
     *
     * @return the server; do not close it
     */
    public RedisServer server() {
        return SHARED.get();
    }

    /**
     * The shared server's URL.
     *
     * @return the URL, as {@link RedisServer#url()} gives it
     */
    public String url() {
        return server().url();
    }
}
