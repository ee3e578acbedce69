// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.OpenState;
import io.runnel.redis.common.RedisFailures;

/**
 * How a call that broke off reads, once the transport's state is taken into account: a
 * transport closing or a thread being interrupted explains a broken connection better than
 * the socket's symptom. Shared by the single-server and the cluster code paths.
 */
final class CallFailures {
    private final RedisFailures failures;
    private final OpenState state;

    CallFailures(RedisFailures failures, OpenState state) {
        this.failures = failures;
        this.state = state;
    }

    /** The failures of this transport's URL. */
    RedisFailures redis() {
        return failures;
    }

    boolean closed() {
        return state.isClosed();
    }

    /**
     * Whether a broken connection may mean the server dropped its clients (a restart, a
     * failover): not when the transport is closing, the thread was interrupted or a reply
     * was only late, which break the one connection alone.
     */
    boolean serverMayHaveDropped(RuntimeException error) {
        return !state.isClosed() && !Thread.currentThread().isInterrupted() && !Failures.timedOut(error);
    }

    /** A command that broke off once it had a connection. */
    TransportException broken(String operation, RuntimeException error) {
        if (state.isClosed()) {
            return failures.closing(operation, error);
        }
        if (Thread.currentThread().isInterrupted()) {
            return failures.interrupted(operation, error);
        }
        return failures.translate(operation, error);
    }

    /** No connection could be had for a command. */
    TransportException noConnection(String operation, RuntimeException error) {
        if (state.isClosed()) {
            return failures.closed();
        }
        if (restoreInterrupt(error)) {
            return failures.interrupted(operation, error);
        }
        return Failures.cannotConnect(failures, operation, error);
    }

    /** Waiting in the pool ends with InterruptedException, which clears the flag: set it again. */
    private static boolean restoreInterrupt(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }
}
