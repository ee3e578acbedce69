// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisClusterTransportTest;
import org.junit.jupiter.api.Tag;

/** What {@link JedisTransport} must do on a Redis Cluster besides the contract: calls across slots, redirections, a dead node. */
@Tag("redis")
class JedisClusterTest extends RedisClusterTransportTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
