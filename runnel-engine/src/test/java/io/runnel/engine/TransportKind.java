// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.params.provider.EnumSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The transports the end-to-end scenarios run against, and which of them each scenario needs.
 *
 * <p>The transport conformance suite (runnel-testkit's {@code TransportConformanceTest}, run
 * for Lettuce and Jedis in their modules and for memory in this one) holds the transports
 * equal command by command. So a scenario runs on:
 * <ul>
 *   <li>{@link Redis} (Lettuce and Jedis) when its subject is a fault of Redis or of the
 *       client (connection loss, a cut-off, a frozen or killed process against real lock
 *       expiry, a cluster), or needs a real server (replicas, its command statistics);
 *   <li>{@link Every} transport when the transport matters beyond what conformance checks:
 *       Redis-side behaviour (deleted or overwritten stream keys and NOGROUP, retention and
 *       trimming, pending entries recovered after a death), work done by Lua scripts on
 *       Redis (fenced acks, parking), and one representative scenario per class otherwise,
 *       which proves that the class's feature is wired end to end on each Redis client;
 *   <li>{@link Memory} only when its subject is the engine's own logic (exception policies,
 *       retries, status and marks, static membership, assignment, batching): the engine
 *       runs the same code over every transport, and memory runs it fastest.
 * </ul>
 */
enum TransportKind {
    LETTUCE, JEDIS, MEMORY;

    /** Points an app at this transport: the test Redis for the Redis clients, a store named after the app in memory. */
    App.Builder configure(App.Builder builder, String appName, String redisUrl) {
        return switch (this) {
            case LETTUCE -> builder.redisUrl(redisUrl).setting("transport", "lettuce");
            case JEDIS -> builder.redisUrl(redisUrl).setting("transport", "jedis");
            case MEMORY -> builder.redisUrl("memory://" + appName).setting("transport", "memory");
        };
    }

    /** With {@code @ParameterizedTest}: on Lettuce, Jedis and memory (see {@link TransportKind} for when). */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @EnumSource(TransportKind.class)
    @interface Every {
    }

    /** With {@code @ParameterizedTest}: on Lettuce and Jedis, against the test Redis (see {@link TransportKind} for when). */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @EnumSource(value = TransportKind.class, names = {"LETTUCE", "JEDIS"})
    @interface Redis {
    }

    /** With {@code @ParameterizedTest}: on the in-memory transport only (see {@link TransportKind} for when). */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    @EnumSource(value = TransportKind.class, names = "MEMORY")
    @interface Memory {
    }
}
