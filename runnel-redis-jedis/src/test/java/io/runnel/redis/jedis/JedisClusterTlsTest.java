// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisClusterTlsTest;

/** The testkit's TLS cluster scenarios on the Jedis transport. */
class JedisClusterTlsTest extends RedisClusterTlsTest {
    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
