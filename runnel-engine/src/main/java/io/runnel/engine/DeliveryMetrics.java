// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;
import io.runnel.api.Event;

import java.time.Clock;
import java.util.List;

/**
 * What one partition's consumer records about its deliveries (batch size, latency,
 * processing time, processed count), gathered on the consumer's thread and added to the
 * partition's shared metrics in groups by {@link #flush()}.
 *
 * <p>Why in groups: recording each event straight into Dropwizard's meters and histograms
 * costs a dozen {@code LongAdder} updates and three locks per event, a quarter of a consumer's
 * CPU in a JFR profile. Gathered here, the same values cost a few array stores per event.
 * The consumer decides when to flush (with its ack hand-overs, see
 * {@link PartitionConsumer}); this flushes by itself only when a group is full.
 *
 * <p>Not thread-safe: one consumer thread owns it.
 */
final class DeliveryMetrics {
    static final int GROUP = 256;

    private final ProcessorMetrics.Scope scope;
    private final Clock clock;
    private final Values batchSizes = new Values();
    private final Values latencies = new Values();
    private final Values processingNanos = new Values();
    private final Values keyWaitNanos = new Values();
    private long processed;

    DeliveryMetrics(ProcessorMetrics.Scope scope, Clock clock) {
        this.scope = scope;
        this.clock = clock;
    }

    /** A delivery was handed to the processor function. */
    void delivered(Delivery d) {
        List<Event> events = d.events();
        add(batchSizes, events.size());
        long now = clock.millis();
        for (int i = 0; i < events.size(); i++) {
            add(latencies, Math.max(0, now - Ids.millis(events.get(i).id())));
        }
    }

    /** The function asked for the next delivery: {@code d} succeeded after {@code nanos}. */
    void succeeded(Delivery d, long nanos) {
        add(processingNanos, Math.max(0, nanos));
        processed += d.events().size();
    }

    /** A delivery begins after its event waited {@code nanos} behind an earlier event of its key. */
    void waitedBehindKey(long nanos) {
        add(keyWaitNanos, Math.max(0, nanos));
    }

    /** Adds what was gathered to the partition's metrics. */
    void flush() {
        if (processed > 0) {
            scope.processed().mark(processed);
            processed = 0;
        }
        WindowTimer.updateAll(scope.processingTime(), processingNanos.values, processingNanos.size);
        WindowTimer.updateAll(scope.keyWait(), keyWaitNanos.values, keyWaitNanos.size);
        WindowHistogram.updateAll(scope.latency(), latencies.values, latencies.size);
        WindowHistogram.updateAll(scope.batchSize(), batchSizes.values, batchSizes.size);
        processingNanos.size = 0;
        keyWaitNanos.size = 0;
        latencies.size = 0;
        batchSizes.size = 0;
    }

    private void add(Values group, long value) {
        if (group.size == GROUP) {
            flush();
        }
        group.values[group.size++] = value;
    }

    /** One metric's values gathered since the last flush. */
    private static final class Values {
        final long[] values = new long[GROUP];
        int size;
    }
}
