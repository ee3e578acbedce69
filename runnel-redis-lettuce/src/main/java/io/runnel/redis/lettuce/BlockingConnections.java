// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.api.StatefulConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Connections reserved for blocking commands, per node. A blocked XREAD/XREADGROUP (or a
 * WAIT) holds its connection until data arrives or the block ends, so it must never share
 * the connection ordinary commands are pipelined on. Connections are made on demand and
 * kept for reuse; closing the pool also closes the ones in use, which ends the reads blocked
 * on them.
 *
 * <p>On a single server every connection is to that server (node {@code ""}). On a Redis
 * Cluster each is a plain connection to one master, named by its address: a connection to
 * one node never depends on another node being reachable. Idle connections to nodes that no
 * longer serve slots are dropped when the layout changes ({@link #retainIdle}), and an idle
 * connection that lost its link is dropped when it would be lent.
 */
final class BlockingConnections implements AutoCloseable {
    private final Function<String, StatefulConnection<String, byte[]>> connector;
    private final int maxIdlePerNode;
    private final Supplier<? extends RuntimeException> closedError;
    private final Map<String, Deque<StatefulConnection<String, byte[]>>> idle = new HashMap<>();
    private final Set<StatefulConnection<String, byte[]>> open = new HashSet<>();
    private boolean closed;

    /**
     * @param connector      opens a new connection to a node, throwing a {@code TransportException} if it cannot
     * @param maxIdlePerNode connections kept for reuse per node; more may be open while many reads block
     * @param closedError    what {@link #borrow} throws once the pool is closed
     */
    BlockingConnections(Function<String, StatefulConnection<String, byte[]>> connector, int maxIdlePerNode,
                        Supplier<? extends RuntimeException> closedError) {
        this.connector = connector;
        this.maxIdlePerNode = maxIdlePerNode;
        this.closedError = closedError;
    }

    /**
     * A connection to {@code node} for the caller's exclusive use until it is given back or
     * discarded.
     *
     * @param node the node's address, or {@code ""} for a single server
     * @throws RuntimeException from {@code closedError} if the pool is closed
     */
    StatefulConnection<String, byte[]> borrow(String node) {
        List<StatefulConnection<String, byte[]>> broken = new ArrayList<>();
        try {
            synchronized (this) {
                ensureOpen();
                Deque<StatefulConnection<String, byte[]>> ready = idle.get(node);
                StatefulConnection<String, byte[]> reused;
                while (ready != null && (reused = ready.pollFirst()) != null) {
                    if (reused.isOpen()) {
                        return reused;
                    }
                    // Its link broke while it was idle (a restart, a dead node): a command on it would fail.
                    open.remove(reused);
                    broken.add(reused);
                }
            }
        } finally {
            broken.forEach(StatefulConnection::close);
        }
        // Connecting takes a round trip or more; other borrowers need not wait for it.
        StatefulConnection<String, byte[]> fresh = connector.apply(node);
        synchronized (this) {
            if (!closed) {
                open.add(fresh);
                return fresh;
            }
        }
        fresh.close();
        throw closedError.get();
    }

    /** Returns a connection to {@code node} after a command that ended normally. */
    void giveBack(String node, StatefulConnection<String, byte[]> connection) {
        synchronized (this) {
            Deque<StatefulConnection<String, byte[]>> ready = idle.computeIfAbsent(node, n -> new ArrayDeque<>());
            if (!closed && connection.isOpen() && ready.size() < maxIdlePerNode) {
                ready.addFirst(connection);
                return;
            }
            open.remove(connection);
        }
        connection.close();
    }

    /**
     * Drops a connection whose state is unknown, e.g. a read that timed out on our side
     * may still be blocked in the server.
     */
    void discard(StatefulConnection<String, byte[]> connection) {
        synchronized (this) {
            open.remove(connection);
            idle.values().forEach(ready -> ready.remove(connection));
        }
        // Closing the pool may have closed it already, which is what ended the read.
        if (connection.isOpen()) {
            connection.close();
        }
    }

    /** Closes the idle connections to the nodes {@code keep} rejects, e.g. a master that died or was demoted. */
    void retainIdle(Predicate<String> keep) {
        List<StatefulConnection<String, byte[]>> dropped = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Map.Entry<String, Deque<StatefulConnection<String, byte[]>>>> it = idle.entrySet().iterator();
                 it.hasNext(); ) {
                Map.Entry<String, Deque<StatefulConnection<String, byte[]>>> node = it.next();
                if (!keep.test(node.getKey())) {
                    dropped.addAll(node.getValue());
                    node.getValue().forEach(open::remove);
                    it.remove();
                }
            }
        }
        dropped.forEach(StatefulConnection::close);
    }

    @Override
    public void close() {
        List<StatefulConnection<String, byte[]>> toClose;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(open);
            open.clear();
            idle.clear();
        }
        for (StatefulConnection<String, byte[]> connection : toClose) {
            connection.close();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw closedError.get();
        }
    }
}
