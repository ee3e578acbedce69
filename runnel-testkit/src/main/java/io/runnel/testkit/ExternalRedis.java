// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import io.runnel.api.transport.ConnectionUrl;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A server someone else runs, named by the {@code REDIS_URL} environment variable. The
 * testkit can flush it but cannot stop or restart it.
 */
final class ExternalRedis implements RedisBackend {
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

    private final String url;
    private final Resp.Endpoint endpoint;

    private ExternalRedis(String url, Resp.Endpoint endpoint) {
        this.url = url;
        this.endpoint = endpoint;
    }

    static ExternalRedis connect(String url) {
        URI uri = ConnectionUrl.parse(url).uri();
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            throw new IllegalStateException("REDIS_URL must be a redis:// or rediss:// URL, not "
                    + ConnectionUrl.redact(url));
        }
        String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
        int port = uri.getPort() < 0 ? 6379 : uri.getPort();
        String user = null;
        String password = null;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                password = decode(userInfo);
            } else {
                user = decode(userInfo.substring(0, colon));
                password = decode(userInfo.substring(colon + 1));
            }
        }
        Resp.Endpoint endpoint = new Resp.Endpoint(host, port, scheme.equals("rediss"), user, password);
        if (!Resp.answers(endpoint, ADMIN_TIMEOUT)) {
            throw new IllegalStateException("REDIS_URL is set but nothing answers at "
                    + ConnectionUrl.redact(url));
        }
        return new ExternalRedis(url, endpoint);
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public int port() {
        return endpoint.port();
    }

    @Override
    public Resp.Endpoint adminEndpoint() {
        return endpoint;
    }

    @Override
    public void stop() {
        throw unsupported();
    }

    @Override
    public void startAgain() {
        throw unsupported();
    }

    @Override
    public void close() {
        // Not ours to stop.
    }

    private UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException("cannot stop or restart the external Redis server at "
                + ConnectionUrl.redact(url) + " (REDIS_URL); unset REDIS_URL so the testkit starts its own"
                + " redis-server process");
    }

    private static String decode(String text) {
        // Only percent-escapes are special in user-info; URLDecoder would turn '+' into a space.
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
