// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.Transport;
import io.runnel.testkit.TransportConformanceTest;
import org.junit.jupiter.api.Tag;

/**
 * Pins {@link MemoryTransport} to the contract the Redis transports share. The Redis URL is
 * ignored: each test gets a fresh isolated store, and every transport the test opens is a
 * handle on it, just as the Redis transports of one test all talk to the same server.
 */
@Tag("redis")
class MemoryTransportConformanceTest extends TransportConformanceTest {
    private MemoryTransport store;

    @Override
    protected Transport openTransport(String url) {
        if (store == null) {
            store = MemoryTransport.create();
            return store;
        }
        return store.newHandle();
    }

    /** Reads blocked in this test's store, in place of the Redis server's blocked_clients. */
    @Override
    protected long blockedClients() {
        return store == null ? 0 : store.blockedReads();
    }

    /** No server to trim behind: the store trims its own stream, exactly as XTRIM would. */
    @Override
    protected void trimBehindTheTransport(String key, long maxLen) {
        store.trim(key, maxLen);
    }

    @Override
    protected void deleteBehindTheTransport(String key, String id) {
        store.deleteEntry(key, id);
    }

    /** No server to miss: a command refused on a URL whose password is the secret. */
    @Override
    protected Throwable failureCarryingSecret(String secret) {
        return catchFailure(() -> {
            try (Transport t = new MemoryTransportProvider().open(
                    io.runnel.api.transport.ConnectionUrl.parse("memory://user:" + secret + "@conformance-secret"))) {
                t.readGroup("no-such-group", "1", java.util.Map.of("no-such-stream", ">"), 1, null);
            }
        });
    }
}
