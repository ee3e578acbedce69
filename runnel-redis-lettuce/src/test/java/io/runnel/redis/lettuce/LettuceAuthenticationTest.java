// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.TransportAuthenticationTest;
import org.junit.jupiter.api.Tag;

/** Credentials in the URL reach the server, and never the messages. */
@Tag("redis")
class LettuceAuthenticationTest extends TransportAuthenticationTest {

    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
