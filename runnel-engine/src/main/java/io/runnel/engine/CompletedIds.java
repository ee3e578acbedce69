// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ids of a partition's completed deliveries not yet handed to the acker. Handing them over in
 * groups saves a lock round per event: a consumer hands them over once {@link #GROUP} have
 * gathered, at the first completion {@link #DELAY_NANOS} or more after the previous hand-over
 * (so a processor slower than that hands every ack over at once), before it waits for more
 * events, and when it exits (so before its partition's lock can be released). The
 * partition's {@link DeliveryMetrics} go with them.
 *
 * <p>For a processor with a context the ids go with what their deliveries did (a
 * {@link CommitBatch}), and are committed with it, at the processor's {@code commit_interval}
 * rather than {@link #DELAY_NANOS}.
 *
 * <p>Not thread-safe: the consumer that owns it uses it from one thread at a time (its own,
 * or whichever holds a {@link KeyedConsumer}'s lock).
 */
final class CompletedIds {
    static final int GROUP = 128;
    static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Acker acker;
    private final Lease lease;
    private final DeliveryMetrics metrics;
    private final List<String> ids = new ArrayList<>();
    /** Where the commits go; null unless the processor has a context. */
    private final PartitionCommit commit;
    private final long delayNanos;
    /** What the next commit carries; null unless the processor has a context. */
    private CommitBatch batch;
    private long lastHandOver;

    CompletedIds(Acker acker, Lease lease, DeliveryMetrics metrics, long now) {
        this(acker, lease, metrics, now, null, DELAY_NANOS);
    }

    /** For a processor with a context: the ids commit with their deliveries' effects, at least every {@code delayNanos}. */
    CompletedIds(Acker acker, Lease lease, DeliveryMetrics metrics, long now, PartitionCommit commit, long delayNanos) {
        this.acker = acker;
        this.lease = lease;
        this.metrics = metrics;
        this.lastHandOver = now;
        this.commit = commit;
        this.delayNanos = delayNanos;
        this.batch = commit == null ? null : new CommitBatch(commit);
    }

    /**
     * The completed ids of a consumer of {@code processor}'s partition: committed with their
     * deliveries' effects when {@code commit} is given (a processor with a context), else
     * acknowledged.
     */
    static CompletedIds of(Processor<?> processor, Acker acker, Lease lease, DeliveryMetrics metrics,
                           PartitionCommit commit) {
        long now = processor.ticker().nanos();
        return commit == null ? new CompletedIds(acker, lease, metrics, now)
                : new CompletedIds(acker, lease, metrics, now, commit, processor.commitInterval().toNanos());
    }

    /**
     * Adds a completed delivery's id, with the effects its {@code context} staged (null: none);
     * a null id for what a windowed aggregation's idle clock tick staged, with no event.
     */
    void add(String id, DeliveryContext context) {
        if (commit == null) {
            ids.add(id);
            return;
        }
        DeliveryContext.Effects effects = context == null ? DeliveryContext.Effects.NONE : context.effects();
        // Seen at once by the partition's later deliveries, committed or not.
        long completion = effects.writes().isEmpty() ? 0 : commit.states().completed(effects.writes(), effects.atMillis());
        batch.add(id, effects, completion);
    }

    void add(String id) {
        if (batch != null) {
            batch.add(id, DeliveryContext.Effects.NONE, 0);
        } else {
            ids.add(id);
        }
    }

    void addAll(List<String> more) {
        more.forEach(this::add);
    }

    private int size() {
        return batch != null ? batch.ids.size() : ids.size();
    }

    /** Whether a group has gathered, or the delay passed since the last hand-over. */
    boolean due(long now) {
        return size() >= GROUP || delayPassed(now);
    }

    /** Whether the delay ({@link #DELAY_NANOS}, or the processor's {@code commit_interval}) passed since the last hand-over. */
    boolean delayPassed(long now) {
        return sinceHandOver(now) >= delayNanos;
    }

    long sinceHandOver(long now) {
        return now - lastHandOver;
    }

    /** Hands the ids to the acker, and what the metrics gathered to the partition's metrics. */
    void handOver(long now) {
        metrics.flush();
        if (batch != null && !batch.isEmpty()) {
            acker.commit(lease, batch);
            batch = new CommitBatch(commit);
        } else if (!ids.isEmpty()) {
            acker.add(lease, List.copyOf(ids));
            ids.clear();
        }
        lastHandOver = now;
    }
}
