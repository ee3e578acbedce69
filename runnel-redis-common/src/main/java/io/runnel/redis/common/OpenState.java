// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.TransportException;
import java.util.function.Supplier;

/**
 * Whether a transport is still open. It closes once, however many threads call close, and
 * calls made after that fail with the same {@link TransportException}.
 */
public final class OpenState {
    private final Supplier<TransportException> closedError;
    private volatile boolean closed;

    /**
     * An open transport's state.
     *
     * @param closedError what calls on the closed transport throw
     */
    public OpenState(Supplier<TransportException> closedError) {
        this.closedError = closedError;
    }

    /**
     * Marks the transport closed and, on the first call only, releases its resources by
     * running every step in order, even after one fails (the first failure is thrown, with
     * later ones suppressed). Later calls return at once; calls made meanwhile fail.
     *
     * @param steps what releases the transport's resources, in the order to run
     */
    public void close(Runnable... steps) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        RuntimeException failed = null;
        for (Runnable step : steps) {
            try {
                step.run();
            } catch (RuntimeException e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Whether {@link #close(Runnable...)} was called, e.g. to word a failure that closing caused.
     *
     * @return true once closing has begun
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Fails a call made on a closed transport.
     *
     * @throws TransportException once closed
     */
    public void ensureOpen() {
        if (closed) {
            throw closedError.get();
        }
    }
}
