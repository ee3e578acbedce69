// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisTransportTest;

/** What the conformance suite leaves to a real Redis server, decided the same way as the Jedis transport. */
class LettuceTransportTest extends RedisTransportTest {

    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
