// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.ConnectionUrl;
import java.util.Set;

/** The URLs a Redis transport opens, whichever client it uses. */
public final class RedisUrls {
    /** A server, a server over TLS, a master found through Sentinel, and a Redis Cluster (plain or TLS). */
    public static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "redis-cluster", "rediss-cluster");

    private RedisUrls() {
    }

    /**
     * Whether the URL's scheme (in any case) is one of {@link #SCHEMES}.
     *
     * @param url a connection URL
     * @return true when a Redis transport can open it
     */
    public static boolean isRedis(ConnectionUrl url) {
        return SCHEMES.contains(url.scheme());
    }
}
