// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import java.time.Duration;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * How the transport's two connection pools are sized, and small chores on them. On a Redis
 * Cluster each node has a pool of either kind, sized alike.
 */
final class Pools {
    /**
     * Ordinary commands take a connection for one round trip only, so a few dozen serve
     * many threads; past that, callers queue for at most the command timeout.
     */
    static final int COMMAND_CONNECTIONS = 32;

    /** Blocking reads kept ready for reuse; more may be open while many reads block. */
    static final int IDLE_BLOCKING_CONNECTIONS = 16;

    private Pools() {
    }

    static GenericObjectPoolConfig<Connection> forCommands(Duration timeout) {
        ConnectionPoolConfig config = common();
        config.setMaxTotal(COMMAND_CONNECTIONS);
        config.setMaxIdle(COMMAND_CONNECTIONS);
        config.setMaxWait(timeout);
        return config;
    }

    static GenericObjectPoolConfig<Connection> forBlockingReads() {
        ConnectionPoolConfig config = common();
        // A bound would make a read wait for another read's block to end.
        config.setMaxTotal(-1);
        config.setMaxIdle(IDLE_BLOCKING_CONNECTIONS);
        return config;
    }

    /** Drops the idle connections of a provider; those lent out are dropped when they come back broken. */
    static void clearIdle(ConnectionProvider provider) {
        for (Object pool : provider.getConnectionMap().values()) {
            if (pool instanceof GenericObjectPool<?> idle) {
                idle.clear();
            }
        }
    }

    /** Drops the idle connections to one node of a cluster. */
    static void clearIdle(ConnectionProvider provider, HostAndPort node) {
        // A cluster provider keys its pools by "host:port", as HostAndPort prints itself.
        if (provider.getConnectionMap().get(node.toString()) instanceof GenericObjectPool<?> idle) {
            idle.clear();
        }
    }

    static void close(ConnectionProvider provider) {
        try {
            provider.close();
        } catch (Exception e) {
            // Closing only releases sockets and threads; there is no one left to tell.
        }
    }

    private static ConnectionPoolConfig common() {
        // Jedis's defaults ping idle connections every 30 s and drop those idle for a minute.
        ConnectionPoolConfig config = new ConnectionPoolConfig();
        config.setMinIdle(0);
        // Nothing reads pool MBeans here, and each transport would register two more.
        config.setJmxEnabled(false);
        return config;
    }
}
