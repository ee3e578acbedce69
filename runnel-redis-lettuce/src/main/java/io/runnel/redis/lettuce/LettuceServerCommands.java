// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.runnel.api.transport.ServerMemory;
import io.runnel.redis.common.MemoryInfo;
import java.util.ArrayList;
import java.util.List;

/** {@link LettuceTransport}'s questions about the servers: their memory, and which node serves a key. */
final class LettuceServerCommands {
    private final LettuceConnection connection;

    LettuceServerCommands(LettuceConnection connection) {
        this.connection = connection;
    }

    /** INFO memory of the server, or of each master of a cluster. */
    List<ServerMemory> serverMemory() {
        connection.ensureOpen();
        if (connection.shared() instanceof StatefulRedisClusterConnection<String, byte[]> c) {
            List<RedisClusterNode> masters = new ArrayList<>();
            List<RedisFuture<String>> infos = new ArrayList<>();
            for (RedisClusterNode node : c.getPartitions()) {
                if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
                    masters.add(node);
                    infos.add(c.getConnection(node.getUri().getHost(), node.getUri().getPort()).async().info("memory"));
                }
            }
            List<String> texts = connection.replies().awaitAll("INFO", infos, connection.timeout());
            List<ServerMemory> memory = new ArrayList<>(masters.size());
            for (int i = 0; i < masters.size(); i++) {
                RedisURI uri = masters.get(i).getUri();
                memory.add(MemoryInfo.parse(uri.getHost() + ":" + uri.getPort(), texts.get(i)));
            }
            return memory;
        }
        return List.of(MemoryInfo.parse(connection.failures().where(),
                connection.await("INFO", connection.commands().info("memory"))));
    }

    /** On a Redis Cluster, the master of the key's slot by the layout as last read; empty on a single server. */
    String nodeOf(String key) {
        ClusterNodes nodes = connection.nodes();
        return nodes == null ? LettuceConnection.THE_SERVER : nodes.masterOf(key);
    }
}
