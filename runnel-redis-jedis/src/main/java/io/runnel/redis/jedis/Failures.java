// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.RedisFailures;
import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The Jedis side of {@link RedisFailures}: what kind of failure a Jedis exception is, and
 * the failures particular to Jedis's connection pools.
 */
final class Failures {

    private Failures() {
    }

    /**
     * How a command that failed once it had a connection reads: refused by the server,
     * timed out, or the connection broke.
     */
    static RedisFailures.Kind kind(Throwable error) {
        return switch (error) {
            case JedisDataException e -> RedisFailures.Kind.ERROR_REPLY;
            case JedisConnectionException e when timedOut(e) -> RedisFailures.Kind.TIMEOUT;
            default -> RedisFailures.Kind.OTHER;
        };
    }

    /**
     * No connection could be had for a command: the server is unreachable, refused the
     * credentials, or every pooled connection stayed busy for the whole timeout.
     *
     * @param operation the command waiting for the connection; empty when opening the transport
     */
    static TransportException cannotConnect(RedisFailures failures, String operation, Throwable error) {
        String what = RedisFailures.rootCause(error) instanceof NoSuchElementException
                ? operation + " found no free connection to " + failures.where()
                : failures.cannotConnect(operation);
        return failures.because(what, error);
    }

    /**
     * Whether a failure to read a cluster's layout came from a server not in cluster mode,
     * which Jedis reports as a suppressed error reply behind its own exception.
     */
    static boolean clusterSupportDisabled(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (String.valueOf(t.getMessage()).contains("cluster support disabled")) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (clusterSupportDisabled(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a failure was a reply that did not come in time (the connection is then unusable, not dead). */
    static boolean timedOut(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
