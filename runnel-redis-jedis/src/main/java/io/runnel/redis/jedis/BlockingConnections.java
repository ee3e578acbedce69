// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.ConnectionProvider;

/**
 * Connections reserved for blocking reads. A blocked XREAD/XREADGROUP holds its connection
 * until data arrives or the block ends, so it must never take one from the pool ordinary
 * commands share. The pool behind this has no upper bound (as many reads may block at once
 * as the caller starts) and keeps a few idle connections for reuse.
 *
 * <p>A Jedis pool does not close the connections it has lent out, so this class remembers
 * them: closing it disconnects those too, which ends the reads blocked on them.
 *
 * <p>On a Redis Cluster the provider keeps such a pool per node, and the caller names the
 * node (the master of the slot the read is for).
 */
final class BlockingConnections implements AutoCloseable {
    private final ConnectionProvider provider;
    private final Supplier<? extends RuntimeException> closedError;
    private final Set<Connection> lent = new HashSet<>();
    private boolean closed;

    /**
     * @param provider    the pool to borrow from; closed with this
     * @param closedError what {@link #borrow()} throws once this is closed
     */
    BlockingConnections(ConnectionProvider provider, Supplier<? extends RuntimeException> closedError) {
        this.provider = provider;
        this.closedError = closedError;
    }

    /**
     * A connection for the caller's exclusive use until it is given back or discarded.
     *
     * @throws RuntimeException from {@code closedError} once closed, or Jedis's exception
     *                          when no connection can be made
     */
    Connection borrow() {
        return borrow(null);
    }

    /**
     * A connection to one node of a cluster, for the caller's exclusive use until it is given
     * back or discarded.
     *
     * @param node the node; null for the provider's one server
     * @throws RuntimeException from {@code closedError} once closed, or Jedis's exception
     *                          when no connection can be made
     */
    Connection borrow(HostAndPort node) {
        synchronized (this) {
            ensureOpen();
        }
        // Connecting takes a round trip or more; other borrowers need not wait for it.
        Connection connection = node == null ? provider.getConnection()
                : ((ClusterConnectionProvider) provider).getConnection(node);
        synchronized (this) {
            if (!closed) {
                lent.add(connection);
                return connection;
            }
        }
        discard(connection);
        throw closedError.get();
    }

    /** Returns a connection after a read that ended normally, for reuse. */
    void giveBack(Connection connection) {
        synchronized (this) {
            lent.remove(connection);
        }
        // Back to its pool, which keeps it or, being full or closed, disconnects it.
        connection.close();
    }

    /**
     * Drops a connection whose state is unknown, e.g. a read that timed out on our side
     * may still be blocked in the server.
     */
    void discard(Connection connection) {
        synchronized (this) {
            lent.remove(connection);
        }
        connection.setBroken();
        try {
            connection.close();
        } catch (RuntimeException e) {
            // Its pool may be gone already; the socket is what matters, and it is closed below.
        }
        try {
            connection.forceDisconnect();
        } catch (IOException e) {
            // Nothing more can be done about a socket that fails to close.
        }
    }

    /** Drops the connections kept for reuse, e.g. when the server has likely closed them. */
    void clearIdle() {
        Pools.clearIdle(provider);
    }

    /** Drops the connections to one node of a cluster kept for reuse. */
    void clearIdle(HostAndPort node) {
        Pools.clearIdle(provider, node);
    }

    @Override
    public void close() {
        List<Connection> toDisconnect;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toDisconnect = new ArrayList<>(lent);
            lent.clear();
        }
        for (Connection connection : toDisconnect) {
            try {
                // Closing the socket under a blocked read is what makes the read end now.
                connection.forceDisconnect();
            } catch (IOException e) {
                // Already closed, or beyond help: either way the read ends.
            }
        }
        Pools.close(provider);
    }

    private void ensureOpen() {
        if (closed) {
            throw closedError.get();
        }
    }
}
