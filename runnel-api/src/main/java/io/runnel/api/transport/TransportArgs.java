// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Transport} reads the {@code block}, {@code count} and {@code ttl} arguments
 * of its methods. The rules are part of the contract (see {@link Transport}), and they differ
 * from Redis's own where Redis would surprise a caller: {@code BLOCK 0} waits forever and
 * {@code PX} takes whole milliseconds only. Every implementation applies them through this
 * class, so the Redis clients and the in-memory transport cannot drift apart.
 */
public final class TransportArgs {

    private TransportArgs() {
    }

    /**
     * Whether a read should wait for entries: only for a positive {@code block}. Null, zero
     * and negative durations mean "do not block", unlike Redis's {@code BLOCK 0}.
     *
     * @param block a read's {@code block} argument; may be null
     * @return true only when {@code block} is positive
     */
    public static boolean isBlocking(Duration block) {
        return block != null && block.isPositive();
    }

    /**
     * The {@code BLOCK} argument for a read: {@code 0} when it should not block at all (see
     * {@link #isBlocking(Duration)}), else the block in milliseconds, rounded up so a short
     * positive block still waits.
     *
     * @param block a read's {@code block} argument; may be null
     * @return milliseconds to wait, or 0 for a read that must not block (leave {@code BLOCK}
     *         out then: Redis's {@code BLOCK 0} waits forever)
     */
    public static long blockMillis(Duration block) {
        return isBlocking(block) ? roundUpToMillis(block) : 0;
    }

    /**
     * Whether {@code count} limits how many entries a read returns: zero or less means no limit.
     *
     * @param count a read's {@code count} argument
     * @return true only when {@code count} is positive
     */
    public static boolean hasLimit(int count) {
        return count > 0;
    }

    /**
     * A time to live in whole milliseconds, for {@code PX}: Redis counts whole milliseconds
     * and rejects 0, so any positive duration rounds up.
     *
     * @param ttl a time to live
     * @return it in milliseconds, rounded up, at least 1
     * @throws NullPointerException     if {@code ttl} is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    public static long ttlMillis(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (!ttl.isPositive()) {
            throw new IllegalArgumentException("a time to live must be positive, not " + ttl);
        }
        return roundUpToMillis(ttl);
    }

    /**
     * Like {@link #ttlMillis(Duration)} for the methods where a null {@code ttl} means "no
     * expiry", which this answers with {@code 0}.
     *
     * @param ttl a time to live, or null for none
     * @return it in milliseconds, rounded up; 0 when it is null
     * @throws IllegalArgumentException if {@code ttl} is zero or negative
     */
    public static long ttlMillisOrZero(Duration ttl) {
        return ttl == null ? 0 : ttlMillis(ttl);
    }

    /**
     * Whether a group created at {@code startId} starts before every entry ({@code 0}). Redis
     * transports then create it with {@code ENTRIESREAD 0} (Redis 7): a group's read counter
     * otherwise starts unknown, and Redis's first estimate of it counts every entry trimmed
     * before the group's first read as read, hiding that loss from retention's audit.
     *
     * @param startId the id a new group starts reading after
     * @return true for {@code "0"} and {@code "0-0"}
     */
    public static boolean fromTheStart(String startId) {
        return startId.equals("0") || startId.equals("0-0");
    }

    /**
     * Checks the arguments of {@link Transport#appendDurably}.
     *
     * @param replicas how many replicas must confirm
     * @param timeout  how long to wait for them
     * @throws NullPointerException     if {@code timeout} is null
     * @throws IllegalArgumentException if {@code replicas} is below 1 or {@code timeout} not positive
     */
    public static void requireReplicas(int replicas, Duration timeout) {
        if (replicas < 1) {
            throw new IllegalArgumentException("a durable append waits for at least 1 replica, not " + replicas);
        }
        ttlMillis(timeout);
    }

    /**
     * The message of a {@link NotReplicated}, without the server.
     *
     * @param entries   how many entries were appended
     * @param confirmed the fewest replicas that confirmed them
     * @param replicas  how many replicas were asked for
     * @param timeout   how long the append waited for them
     * @return the message, saying the entries may be lost
     */
    public static String notReplicated(int entries, int confirmed, int replicas, Duration timeout) {
        return (entries == 1 ? "1 entry" : entries + " entries") + " appended, but only " + confirmed + " of " + replicas + " replicas confirmed them within "
                + timeout.toMillis() + " ms: they may be lost if their master fails before a replica has them";
    }

    /**
     * The message of a {@link NotReplicated} durable commit.
     *
     * @param confirmed the fewest replicas that confirmed it
     * @param replicas  how many were asked for
     * @param timeout   how long the wait was
     * @return the message
     */
    public static String commitNotReplicated(int confirmed, int replicas, Duration timeout) {
        return "a commit was done, but only " + confirmed + " of " + replicas + " replicas confirmed it within "
                + timeout.toMillis() + " ms: it may be lost if its master fails before a replica has it";
    }

    private static long roundUpToMillis(Duration duration) {
        long millis = duration.toMillis();
        return duration.equals(Duration.ofMillis(millis)) ? millis : millis + 1;
    }
}
