// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.api.StatefulConnection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Connections reserved for blocking reads. A blocked XREAD/XREADGROUP holds its connection
 * until data arrives or the block ends, so it must never share the connection ordinary
 * commands are pipelined on. Connections are made on demand and kept for reuse; closing the
 * pool also closes the ones in use, which ends the reads blocked on them.
 */
final class BlockingConnections implements AutoCloseable {
    private final Supplier<StatefulConnection<String, byte[]>> connector;
    private final int maxIdle;
    private final Supplier<? extends RuntimeException> closedError;
    private final Deque<StatefulConnection<String, byte[]>> idle = new ArrayDeque<>();
    private final Set<StatefulConnection<String, byte[]>> open = new HashSet<>();
    private boolean closed;

    /**
     * @param connector opens a new connection, throwing a {@code TransportException} if it cannot
     * @param maxIdle     connections kept for reuse; more may be open while many reads block
     * @param closedError what {@link #borrow()} throws once the pool is closed
     */
    BlockingConnections(Supplier<StatefulConnection<String, byte[]>> connector, int maxIdle,
                        Supplier<? extends RuntimeException> closedError) {
        this.connector = connector;
        this.maxIdle = maxIdle;
        this.closedError = closedError;
    }

    /**
     * A connection for the caller's exclusive use until it is given back or discarded.
     *
     * @throws RuntimeException from {@code closedError} if the pool is closed
     */
    StatefulConnection<String, byte[]> borrow() {
        synchronized (this) {
            ensureOpen();
            StatefulConnection<String, byte[]> reused = idle.pollFirst();
            if (reused != null) {
                return reused;
            }
        }
        // Connecting takes a round trip or more; other borrowers need not wait for it.
        StatefulConnection<String, byte[]> fresh = connector.get();
        synchronized (this) {
            if (!closed) {
                open.add(fresh);
                return fresh;
            }
        }
        fresh.close();
        throw closedError.get();
    }

    /** Returns a connection after a read that ended normally. */
    void giveBack(StatefulConnection<String, byte[]> connection) {
        synchronized (this) {
            if (!closed && connection.isOpen() && idle.size() < maxIdle) {
                idle.addFirst(connection);
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
            idle.remove(connection);
        }
        // Closing the pool may have closed it already, which is what ended the read.
        if (connection.isOpen()) {
            connection.close();
        }
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
