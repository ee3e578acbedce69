// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisClusterTransportTest;
import org.junit.jupiter.api.Tag;

/** What {@link LettuceTransport} must do on a Redis Cluster besides the contract: calls across slots, redirections, a dead node. */
@Tag("redis")
class LettuceClusterTest extends RedisClusterTransportTest {

    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
