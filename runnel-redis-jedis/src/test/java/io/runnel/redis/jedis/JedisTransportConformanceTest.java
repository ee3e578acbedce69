// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.TransportConformanceTest;
import org.junit.jupiter.api.Tag;

/** Pins {@link JedisTransport} to the shared transport contract. */
@Tag("redis")
class JedisTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
