package io.runnel.redis.common;

import io.runnel.api.transport.ConnectionUrl;
import java.util.Set;

/** The URLs a Redis transport opens, whichever client it uses. */
public final class RedisUrls {
    /** A server, a server over TLS, a master found through Sentinel, and a Redis Cluster (plain or TLS). */
    public static final Set<String> SCHEMES = Set.of("redis", "rediss", "redis-sentinel", "redis-cluster", "rediss-cluster");
    /** The schemes of a Redis Cluster: its nodes, comma-separated, as seeds. */
    public static final Set<String> CLUSTER_SCHEMES = Set.of("redis-cluster", "rediss-cluster");

    private RedisUrls() {
    }

    /** Whether the URL names a Redis Cluster ({@link #CLUSTER_SCHEMES}). */
    public static boolean isCluster(ConnectionUrl url) {
        return CLUSTER_SCHEMES.contains(url.scheme());
    }

    /** Whether the URL's scheme (in any case) is one of {@link #SCHEMES}. */
    public static boolean isRedis(ConnectionUrl url) {
        return SCHEMES.contains(url.scheme());
    }
}
