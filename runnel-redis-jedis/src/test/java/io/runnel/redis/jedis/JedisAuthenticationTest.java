// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.TransportAuthenticationTest;
import org.junit.jupiter.api.Tag;

/** Credentials in the URL reach the server, and never the messages. */
@Tag("redis")
class JedisAuthenticationTest extends TransportAuthenticationTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
