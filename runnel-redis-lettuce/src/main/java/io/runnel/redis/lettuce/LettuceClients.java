// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Lettuce clients of one {@link LettuceTransport}, with the options it relies on, and
 * their shared resources: a {@link RedisClient} for a single server, or a
 * {@link RedisClusterClient} plus a plain client for connections to one master each.
 */
final class LettuceClients {
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

    private final ClientResources resources;
    /** A {@link RedisClient}, or a {@link RedisClusterClient} for a {@code redis-cluster://} URL. */
    private final AbstractRedisClient client;
    /** On a cluster: plain connections to one master each, for blocking commands; else null. */
    private final RedisClient nodeClient;

    /**
     * Creates the clients; they connect to nothing yet.
     *
     * @param seeds the single server, or the cluster's seed nodes
     */
    LettuceClients(boolean cluster, List<RedisURI> seeds) {
        // Reconnect within a second of the server coming back: Lettuce's default backs off to
        // 30 s, which would stall every worker that long after a short Redis restart.
        this.resources = DefaultClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        // A command issued while the connection is down fails at once, as with Jedis, instead
        // of Lettuce's default of queueing it until reconnection or the command timeout (60 s
        // by default): the engine retries with its own backoff anyway, stream.send throws
        // promptly, and a worker stopping during an outage is not held up for a minute per
        // command (the lock releases, the departure, the leadership).
        if (cluster) {
            RedisClusterClient clusterClient = RedisClusterClient.create(resources, seeds);
            // Lettuce reads the layout again when a command is redirected (MOVED, ASK), when a
            // node keeps failing to reconnect (a dead master), and every 30 s, but at most once
            // per 30 s on those events: LayoutRefresh (ClusterNodes) reads it again soon after a
            // call got no answer, so commands reach a promoted replica within a second. Nodes
            // the cluster agreed are failing are left out of the layout.
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .nodeFilter(ClusterNodes.LIVE_NODES)
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                            .enablePeriodicRefresh(Duration.ofSeconds(30))
                            .enableAllAdaptiveRefreshTriggers()
                            .build())
                    .build());
            this.client = clusterClient;
            // Blocking commands get a plain connection to the one master they need: a cluster
            // connection would also link every other master, and fail whenever one is down.
            // One that loses its link is dropped, not reconnected: the node may be gone for good.
            this.nodeClient = RedisClient.create(resources);
            nodeClient.setOptions(ClientOptions.builder()
                    .autoReconnect(false)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .build());
        } else {
            RedisClient single = RedisClient.create(resources, seeds.get(0));
            single.setOptions(ClientOptions.builder()
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .build());
            this.client = single;
            this.nodeClient = null;
        }
    }

    ClientResources resources() {
        return resources;
    }

    /** A {@link RedisClient}, or a {@link RedisClusterClient} for a {@code redis-cluster://} URL. */
    AbstractRedisClient client() {
        return client;
    }

    /** On a cluster: the client for connections to one master each; else null. */
    RedisClient nodeClient() {
        return nodeClient;
    }

    void shutdown() {
        client.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
        if (nodeClient != null) {
            nodeClient.shutdown(Duration.ZERO, SHUTDOWN_TIMEOUT);
        }
        resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
