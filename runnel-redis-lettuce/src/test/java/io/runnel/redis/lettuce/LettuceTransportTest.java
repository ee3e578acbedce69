// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisTransportTest;
import org.junit.jupiter.api.Tag;

/** What the conformance suite leaves to a real Redis server, decided the same way as the Jedis transport. */
@Tag("redis")
class LettuceTransportTest extends RedisTransportTest {

    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
