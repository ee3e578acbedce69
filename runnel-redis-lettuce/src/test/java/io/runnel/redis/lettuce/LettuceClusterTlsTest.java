// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisClusterTlsTest;
import org.junit.jupiter.api.Tag;

/** The testkit's TLS cluster scenarios on the Lettuce transport. */
@Tag("redis")
class LettuceClusterTlsTest extends RedisClusterTlsTest {
    @Override
    protected Transport openTransport(String url) {
        return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
    }
}
