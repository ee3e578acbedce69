// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.TransportConformanceTest;
import org.junit.jupiter.api.Tag;

/** Pins {@link LettuceTransport} to the shared transport contract. */
@Tag("redis")
class LettuceTransportConformanceTest extends TransportConformanceTest {

    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
