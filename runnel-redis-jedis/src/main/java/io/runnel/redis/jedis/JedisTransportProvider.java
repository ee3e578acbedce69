// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportProvider;
import io.runnel.redis.common.RedisUrls;

/**
 * Offers {@link JedisTransport} for {@code redis://}, {@code rediss://},
 * {@code redis-sentinel://}, {@code redis-cluster://} and {@code rediss-cluster://} URLs. Its priority is below the Lettuce transport's, so Lettuce
 * stays the default when both jars are on the classpath; name {@code jedis} in the
 * {@code transport} setting to choose this one.
 */
public final class JedisTransportProvider implements TransportProvider {
    /** The constructor {@link java.util.ServiceLoader} calls. */
    public JedisTransportProvider() {
    }

    @Override
    public String name() {
        return "jedis";
    }

    @Override
    public boolean supports(ConnectionUrl url) {
        return RedisUrls.isRedis(url);
    }

    @Override
    public int priority() {
        return 5;
    }

    /** @throws io.runnel.api.Misconfigured when the Jedis on the classpath is older than the transport needs */
    @Override
    public Transport open(ConnectionUrl url) {
        JedisVersionCheck.check();
        return new JedisTransport(url);
    }
}
