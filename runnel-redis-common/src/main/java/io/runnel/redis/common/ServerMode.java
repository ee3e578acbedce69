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
     * with CROSSSLOT, so the mistake would otherwise show only once workers run.
     *
     * @param infoCluster the server's reply to {@code INFO cluster}
     * @throws TransportException naming the (redacted) URL, if the server runs in cluster mode
     */
    public static void requireStandalone(String infoCluster, RedisFailures failures) {
        if (infoCluster != null && infoCluster.contains("cluster_enabled:1")) {
            throw failures.failure("the server is a node of a Redis Cluster (cluster_enabled:1). Runnel supports a "
                    + "single Redis server, or a master found through Sentinel, not Redis Cluster yet: its multi-key "
                    + "commands would be refused with CROSSSLOT");
        }
    }
}
