// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Fence;

/**
 * The right of this executor to process one partition, for a bounded time. It is the
 * partition lock seen from the process that holds it: the lock's token (written into the
 * lock at acquisition, so the server can fence commands of a former holder) and a deadline
 * on this JVM's monotonic clock.
 *
 * <p>The deadline is the instant just <em>before</em> the command that set or last extended
 * the lock was sent, plus {@code lock_expiry}, minus {@code lease_margin}: the lock cannot
 * have expired on the server before it, as long as the two clocks' rates differ by less
 * than the margin over one lock_expiry. So a thread that finds the lease valid may hand out
 * an event knowing no other executor can own the partition yet, with no network call: a
 * volatile read and a reading of the engine's {@link Ticker}.
 *
 * <p>Renewed by the heartbeat, voided by the executor (release, loss) and read by the
 * partition's consumer, fetcher and acker. Once void it never becomes valid again: a
 * partition acquired anew gets a new lease.
 */
final class Lease {
    final int partition;
    /** The partition's stream key. */
    final String streamKey;
    final Fence fence;
    private final long lifetimeNanos;
    private final Ticker ticker;
    private volatile long deadlineNanos;
    private volatile boolean voided;

    /**
     * @param sentAtNanos the ticker's reading just before the acquiring command was sent
     * @param lifetimeNanos lock_expiry minus lease_margin
     * @param ticker the engine's monotonic time source
     */
    Lease(int partition, String streamKey, Fence fence, long sentAtNanos, long lifetimeNanos, Ticker ticker) {
        this.partition = partition;
        this.ticker = ticker;
        this.streamKey = streamKey;
        this.fence = fence;
        this.lifetimeNanos = lifetimeNanos;
        this.deadlineNanos = sentAtNanos + lifetimeNanos;
    }

    /** A lease on the system ticker (for tests of the parts that hold one). */
    Lease(int partition, String streamKey, Fence fence, long sentAtNanos, long lifetimeNanos) {
        this(partition, streamKey, fence, sentAtNanos, lifetimeNanos, Ticker.SYSTEM);
    }

    /**
     * A lease on the same lock, token and deadline, for a new holder within this process
     * (this one is then voided, so its old holder can no longer act).
     */
    Lease successor() {
        Lease next = new Lease(partition, streamKey, fence, deadlineNanos - lifetimeNanos, lifetimeNanos, ticker);
        next.voided = voided;
        return next;
    }

    /** Whether this executor may still act for the partition: not voided and before the deadline. */
    boolean valid() {
        return !voided && ticker.nanos() - deadlineNanos < 0;
    }

    /** Nanoseconds left before the deadline (zero or less once passed or voided). */
    long remainingNanos() {
        return voided ? 0 : deadlineNanos - ticker.nanos();
    }

    /**
     * The server extended the lock by a command sent at {@code sentAtNanos}. A lease past its
     * deadline may be renewed too: the server found the lock still holding our token, so no
     * one else can have held it meanwhile. A voided lease stays void.
     */
    void renew(long sentAtNanos) {
        long next = sentAtNanos + lifetimeNanos;
        if (next - deadlineNanos > 0) {
            deadlineNanos = next;
        }
    }

    /** Ends the lease for good: after this, nothing may be handed out or acknowledged under it. */
    void voidNow() {
        voided = true;
    }

    @Override
    public String toString() {
        return "lease of partition " + partition + " (token " + fence.token() + ")";
    }
}
