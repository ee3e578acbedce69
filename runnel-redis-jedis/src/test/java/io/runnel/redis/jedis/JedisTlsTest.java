// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisTlsTest;
import org.junit.jupiter.api.Tag;

/** {@code rediss://} URLs against a real TLS server with a self-signed certificate. */
@Tag("redis")
class JedisTlsTest extends RedisTlsTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
