// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.TransportConformanceTest;

/** Pins {@link JedisTransport} to the shared transport contract. */
class JedisTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
