// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.redis.common.KeyPlacement;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Where a command goes on a Redis Cluster: the master serving its key's hash slot, by the
 * cluster's layout (the slot map) as last read, with a pool of connections per node for
 * ordinary commands and another for blocking ones.
 *
 * <p>The layout is read again when a command is redirected (MOVED) and when a node fails,
 * so that after a failover commands reach the promoted replica. That reading runs on a
 * thread of its own: it may have to try several seed nodes, some of them dead, and the
 * command that found the failure should fail at once (the engine retries with backoff),
 * not wait for it. Requests made while a reading runs lead to one more reading after it.
 */
final class ClusterRouting implements AutoCloseable {
    /** 0: no reading runs; 1: one runs; 2: one runs and another was asked for meanwhile. */
    private final AtomicInteger refreshes = new AtomicInteger();
    private final ClusterConnectionProvider commands;
    private final BlockingConnections blocking;
    private volatile boolean closed;

    /**
     * @param commands the pools for ordinary commands, whose slot map routes every command
     * @param blocking the connections for blocking commands, over a cluster provider; only
     *                 its pools are used, found by the node {@code commands} names
     */
    ClusterRouting(ClusterConnectionProvider commands, BlockingConnections blocking) {
        this.commands = commands;
        this.blocking = blocking;
    }

    /**
     * The hash slot of a command's first key. A command naming keys of several slots goes
     * to the first one's node, which refuses it with CROSSSLOT, as Redis words it.
     *
     * @throws IllegalArgumentException for a command without keys
     */
    static int slot(CommandArguments command) {
        List<Object> keys = command.getKeys();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(command.getCommand() + " names no key to route it by");
        }
        return keys.get(0) instanceof byte[] key ? JedisClusterCRC16.getSlot(key)
                : JedisClusterCRC16.getSlot(String.valueOf(keys.get(0)));
    }

    /**
     * The master serving a slot, or null when the layout has none for it even after reading
     * it again (a cluster whose slots are not all covered).
     */
    HostAndPort nodeOf(int slot) {
        HostAndPort node = commands.getNode(slot);
        if (node == null && !closed) {
            // Not a failover (the old master stays in the layout until its replica takes
            // over): the layout was never read in full. Read it now, once.
            commands.renewSlotCache();
            node = commands.getNode(slot);
        }
        return node;
    }

    /** The master serving a slot by the slot map as last read, or null; never reads the layout. */
    HostAndPort knownNodeOf(int slot) {
        return commands.getNode(slot);
    }

    /** Slots and their masters by this routing's layout. */
    KeyPlacement placement() {
        return KeyPlacement.cluster(JedisClusterCRC16::getSlot, commands::getNode);
    }

    /** A pooled connection to a node; closing it gives it back. */
    Connection borrow(HostAndPort node) {
        return commands.getConnection(node);
    }

    /** A dedicated connection to a node, for a blocking command. */
    Connection borrowBlocking(HostAndPort node) {
        return blocking.borrow(node);
    }

    /** Gives back a dedicated connection whose command ended with its reply. */
    void giveBackBlocking(Connection connection) {
        blocking.giveBack(connection);
    }

    /** Drops a dedicated connection in an unknown state. */
    void discardBlocking(Connection connection) {
        blocking.discard(connection);
    }

    /** The masters by the layout as last read. */
    List<HostAndPort> masters() {
        return commands.getPrimaryNodes().keySet().stream().map(HostAndPort::from).toList();
    }

    /** Any master, answering PING, e.g. to check the server at open. */
    Connection anyMaster() {
        return commands.getConnection();
    }

    /**
     * After a node's connection broke for any reason but a late reply: the node likely
     * dropped its clients (a crash, a restart), so its idle connections are dead too.
     */
    void dropIdleConnectionsTo(HostAndPort node) {
        Pools.clearIdle(commands, node);
        blocking.clearIdle(node);
    }

    /** Has the cluster's layout read again soon, on another thread; returns at once. */
    void refreshSoon() {
        if (!closed && refreshes.getAndUpdate(n -> Math.min(n + 1, 2)) == 0) {
            Thread.ofPlatform().daemon().name("runnel-jedis-cluster-layout").start(this::refresh);
        }
    }

    private void refresh() {
        do {
            try {
                commands.renewSlotCache();
            } catch (RuntimeException e) {
                // No node answered; the next failure asks again.
            }
            if (closed) {
                // The reading may have opened pools after the transport closed them.
                Pools.close(commands);
            }
        } while (refreshes.decrementAndGet() > 0);
    }

    /**
     * Stops reading the layout; the caller closes the pools after this, so that a reading
     * still under way closes whatever it opened.
     */
    @Override
    public void close() {
        closed = true;
    }
}
