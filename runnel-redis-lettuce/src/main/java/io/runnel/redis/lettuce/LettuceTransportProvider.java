// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportProvider;
import io.runnel.redis.common.RedisUrls;

/**
 * Offers {@link LettuceTransport} for {@code redis://}, {@code rediss://} and
 * {@code redis-sentinel://} URLs. Lettuce is the default Redis client, hence the higher
 * priority than other Redis transports that may be on the classpath.
 *
 * <p>For {@code rediss://} the server's certificate is checked against the JVM's trust
 * store: to trust a private CA or a self-signed certificate, start the JVM with
 * {@code -Djavax.net.ssl.trustStore=/path/redis-ca.p12 -Djavax.net.ssl.trustStorePassword=...}
 * (see {@link LettuceTransport} for {@code verifyPeer}).
 */
public final class LettuceTransportProvider implements TransportProvider {
    /** The constructor {@link java.util.ServiceLoader} calls. */
    public LettuceTransportProvider() {
    }

    @Override
    public String name() {
        return "lettuce";
    }

    @Override
    public boolean supports(ConnectionUrl url) {
        return RedisUrls.isRedis(url);
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Transport open(ConnectionUrl url) {
        return new LettuceTransport(url);
    }
}
