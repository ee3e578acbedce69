// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring.it;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.redis.lettuce.LettuceTransportProvider;
import io.runnel.testkit.TransportConformanceTest;
import org.junit.jupiter.api.Tag;

/**
 * The Lettuce transport's whole contract on the Lettuce that Spring Boot's dependency
 * management chooses (older than the one Runnel is built with): a client method the transport
 * needs and that version lacks fails here, not in a user's service.
 */
@Tag("redis")
class LettuceOnBootConformanceTest extends TransportConformanceTest {

    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
