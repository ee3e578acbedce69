// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import static org.assertj.core.api.Assertions.assertThat;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.testkit.RedisServer;
import io.runnel.testkit.RedisTransportTest;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What the conformance suite leaves to a real Redis server, decided the same way as the
 * Lettuce transport (the inherited tests), plus what is particular to Jedis: a command
 * outlasting its socket timeout leaves the pooled connection usable.
 */
@Tag("redis")
class JedisTransportTest extends RedisTransportTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }

    @Test
    void aCommandOutlastingTheTimeoutFailsAndTheNextOneWorks() throws Exception {
        try (RedisServer slow = RedisServer.start("--enable-debug-command", "yes");
             Transport impatient = openTransport(slow.url() + "?timeout=500ms")) {
            impatient.set("k", "v", null);
            // DEBUG SLEEP stalls the whole server; commands sent before it starts still succeed.
            Future<Object> sleeping = threads.submit(() -> slow.call("DEBUG", "SLEEP", "3"));
            TransportException timedOut = null;
            while (timedOut == null && !sleeping.isDone()) {
                try {
                    impatient.get("k");
                } catch (TransportException e) {
                    timedOut = e;
                }
            }

            assertThat(timedOut).isNotNull().hasMessageStartingWith("GET timed out on " + slow.url());
            sleeping.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(impatient.get("k")).contains("v");
        }
    }
}
