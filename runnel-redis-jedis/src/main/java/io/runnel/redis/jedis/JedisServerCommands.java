// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ServerMemory;
import io.runnel.redis.common.MemoryInfo;
import java.util.ArrayList;
import java.util.List;

/** {@link JedisTransport}'s questions about the servers: their memory, and which node serves a key. */
final class JedisServerCommands {
    private final JedisConnection connection;

    JedisServerCommands(JedisConnection connection) {
        this.connection = connection;
    }

    /** INFO memory of the server, or of each master of a cluster. */
    List<ServerMemory> serverMemory() {
        connection.ensureOpen();
        ClusterPipeline cluster = connection.cluster();
        if (cluster != null) {
            List<ServerMemory> memory = new ArrayList<>();
            cluster.onEveryMaster("INFO", Commands.infoMemory())
                    .forEach((node, info) -> memory.add(MemoryInfo.parse(node, Replies.text(info))));
            return memory;
        }
        return List.of(MemoryInfo.parse(connection.failures().where(),
                Replies.text(connection.call("INFO", Commands.infoMemory()))));
    }

    /** On a Redis Cluster, the master of the key's slot by the slot map as last read; empty on a single server. */
    String nodeOf(String key) {
        ClusterPipeline cluster = connection.cluster();
        return cluster != null ? cluster.nodeOf(key) : "";
    }
}
