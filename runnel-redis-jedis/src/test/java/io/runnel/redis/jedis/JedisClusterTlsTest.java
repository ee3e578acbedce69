// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisClusterTlsTest;
import org.junit.jupiter.api.Tag;

/** The testkit's TLS cluster scenarios on the Jedis transport. */
@Tag("redis")
class JedisClusterTlsTest extends RedisClusterTlsTest {
    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
