// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.RedisFailures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for command replies. Every wait is bounded by our own deadline instead of Lettuce's
 * command timeout, so one transport can mix ordinary commands with blocking reads whose
 * BLOCK is longer than the ordinary timeout. Commands that miss the deadline are cancelled.
 */
final class Replies {
    private final RedisFailures failures;
    private final Runnable noAnswer;

    /**
     * @param noAnswer told of every command that got no reply in time or failed for another
     *                 reason than an error reply (a lost or refused connection): on a cluster
     *                 the layout may be out of date
     */
    Replies(RedisFailures failures, Runnable noAnswer) {
        this.failures = failures;
        this.noAnswer = noAnswer;
    }

    /** The outcome of one command of a pipeline: its value or the error it failed with. */
    record Settled<T>(T value, Throwable error) {
        boolean failed() {
            return error != null;
        }

        /** The value, or the error in its place, as {@link io.runnel.redis.common.LuaScript} takes replies. */
        Object valueOrError() {
            return failed() ? error : value;
        }
    }

    /** How Lettuce's exceptions read in failure messages. */
    static RedisFailures.Kind kind(Throwable error) {
        return switch (error) {
            case RedisConnectionException e -> RedisFailures.Kind.CONNECTION;
            case RedisCommandTimeoutException e -> RedisFailures.Kind.TIMEOUT;
            case RedisCommandExecutionException e -> RedisFailures.Kind.ERROR_REPLY;
            default -> RedisFailures.Kind.OTHER;
        };
    }

    <T> T await(String operation, CompletionStage<T> reply, Duration timeout) {
        return awaitAll(operation, List.of(reply), timeout).get(0);
    }

    /** Waits for a pipeline and fails on the first command that failed. */
    <T> List<T> awaitAll(String operation, List<? extends CompletionStage<T>> replies, Duration timeout) {
        List<Settled<T>> settled = settleAll(operation, replies, timeout);
        List<T> values = new ArrayList<>(settled.size());
        for (Settled<T> outcome : settled) {
            if (outcome.failed()) {
                throw failures.translate(operation, outcome.error());
            }
            values.add(outcome.value());
        }
        return values;
    }

    /**
     * Waits for a pipeline and reports each command's outcome, for callers that tolerate
     * some errors (BUSYGROUP, NOSCRIPT). Not being able to wait at all (deadline,
     * interruption, closed transport) still throws.
     */
    <T> List<Settled<T>> settleAll(String operation, List<? extends CompletionStage<T>> replies, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Settled<T>> settled = new ArrayList<>(replies.size());
        for (int i = 0; i < replies.size(); i++) {
            Future<T> reply = replies.get(i).toCompletableFuture();
            try {
                long left = Math.max(0, deadline - System.nanoTime());
                settled.add(new Settled<>(reply.get(left, TimeUnit.NANOSECONDS), null));
            } catch (ExecutionException e) {
                Throwable error = e.getCause() == null ? e : e.getCause();
                if (kind(error) != RedisFailures.Kind.ERROR_REPLY) {
                    noAnswer.run();
                }
                settled.add(new Settled<>(null, error));
            } catch (TimeoutException e) {
                noAnswer.run();
                cancel(replies, i);
                throw failures.failure(operation + " got no reply within " + timeout.toMillis() + " ms");
            } catch (CancellationException e) {
                cancel(replies, i);
                throw failures.closing(operation, null);
            } catch (InterruptedException e) {
                cancel(replies, i);
                Thread.currentThread().interrupt();
                throw failures.interrupted(operation, e);
            }
        }
        return settled;
    }

    /** A failed command's error as a {@link TransportException}. */
    TransportException failure(String operation, Throwable error) {
        return failures.translate(operation, error);
    }

    private static void cancel(List<? extends CompletionStage<?>> replies, int from) {
        for (int i = from; i < replies.size(); i++) {
            replies.get(i).toCompletableFuture().cancel(true);
        }
    }
}
