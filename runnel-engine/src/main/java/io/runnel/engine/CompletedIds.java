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
    private long lastHandOver;

    CompletedIds(Acker acker, Lease lease, DeliveryMetrics metrics, long now) {
        this.acker = acker;
        this.lease = lease;
        this.metrics = metrics;
        this.lastHandOver = now;
    }

    void add(String id) {
        ids.add(id);
    }

    void addAll(List<String> more) {
        ids.addAll(more);
    }

    /** Whether a group has gathered, or {@link #DELAY_NANOS} passed since the last hand-over. */
    boolean due(long now) {
        return ids.size() >= GROUP || sinceHandOver(now) >= DELAY_NANOS;
    }

    long sinceHandOver(long now) {
        return now - lastHandOver;
    }

    /** Hands the ids to the acker, and what the metrics gathered to the partition's metrics. */
    void handOver(long now) {
        metrics.flush();
        if (!ids.isEmpty()) {
            acker.add(lease, List.copyOf(ids));
            ids.clear();
        }
        lastHandOver = now;
    }
}
