// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisTlsTest;

/** {@code rediss://} URLs against a real TLS server with a self-signed certificate. */
class JedisTlsTest extends RedisTlsTest {

    @Override
    protected Transport openTransport(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }
}
