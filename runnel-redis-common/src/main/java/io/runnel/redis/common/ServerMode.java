// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.TransportException;

/**
 * What a transport checks, once it is connected, about the kind of server its URL led to,
 * whichever client it uses.
 */
public final class ServerMode {
    private ServerMode() {
    }

    /**
     * Refuses a node of a Redis Cluster behind a single-server URL: Runnel reads several
     * partitions in one command and runs scripts over several keys, which a cluster refuses
     * with CROSSSLOT unless the client knows it is one, so the mistake would otherwise show
     * only once workers run.
     *
     * @param infoCluster the server's reply to {@code INFO cluster}
     * @param failures    the transport's failures, to word the refusal
     * @throws TransportException naming the (redacted) URL, if the server runs in cluster mode
     */
    public static void requireStandalone(String infoCluster, RedisFailures failures) {
        if (infoCluster != null && infoCluster.contains("cluster_enabled:1")) {
            throw failures.failure("the server is a node of a Redis Cluster (cluster_enabled:1): connect with a "
                    + "redis-cluster:// URL (rediss-cluster:// for TLS), which reads the cluster's layout and keeps "
                    + "each command within one hash slot");
        }
    }

    /**
     * Refuses a server that is not a cluster node behind a {@code redis-cluster://} URL.
     *
     * @param infoCluster the server's reply to {@code INFO cluster}
     * @param failures    the transport's failures, to word the refusal
     * @throws TransportException naming the (redacted) URL, if the server does not run in cluster mode
     */
    public static void requireCluster(String infoCluster, RedisFailures failures) {
        if (infoCluster == null || !infoCluster.contains("cluster_enabled:1")) {
            throw failures.failure("the server is not a node of a Redis Cluster (cluster_enabled:0): connect to a "
                    + "single server with a redis:// URL (rediss:// for TLS)");
        }
    }
}
