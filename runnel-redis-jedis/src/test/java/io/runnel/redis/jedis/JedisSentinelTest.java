// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisSentinelTest;
import org.junit.jupiter.api.Tag;

/** {@code redis-sentinel://} URLs against a real sentinel and a password-protected master. */
@Tag("redis")
class JedisSentinelTest extends RedisSentinelTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
