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
 * The consumer flushes when it hands its acknowledgements over (every
 * {@link PartitionConsumer#ACK_GROUP} deliveries or {@link PartitionConsumer#ACK_DELAY_NANOS}),
 * before it waits for events and when it exits; this flushes too when a group is full, and at
 * a hand-out that comes {@code ACK_DELAY_NANOS} or more after the last flush, so a slow
 * function's deliveries show as they are handed out. A reader of the metrics sees a busy
 * partition's values up to that much late, plus the delivery the function holds.
 *
 * <p>Not thread-safe: one consumer thread owns it.
 */
final class DeliveryMetrics {
    static final int GROUP = 256;

    private final ProcessorMetrics.Scope scope;
    private final Clock clock;
    private final long[] batchSizes = new long[GROUP];
    private int batchSizeCount;
    private final long[] latencies = new long[GROUP];
    private int latencyCount;
    private final long[] processingNanos = new long[GROUP];
    private int processingCount;
    private long processed;
    private long lastFlush = System.nanoTime();

    DeliveryMetrics(ProcessorMetrics.Scope scope, Clock clock) {
        this.scope = scope;
        this.clock = clock;
    }

    /** A delivery was handed to the processor function at {@code nanoTime} ({@link System#nanoTime()}). */
    void delivered(Delivery d, long nanoTime) {
        if (batchSizeCount == GROUP) {
            flush();
        }
        List<Event> events = d.events();
        batchSizes[batchSizeCount++] = events.size();
        long now = clock.millis();
        for (int i = 0; i < events.size(); i++) {
            if (latencyCount == GROUP) {
                flush();
            }
            latencies[latencyCount++] = Math.max(0, now - Ids.millis(events.get(i).id()));
        }
        if (nanoTime - lastFlush >= PartitionConsumer.ACK_DELAY_NANOS) {
            flush();
        }
    }

    /** The function asked for the next delivery: {@code d} succeeded after {@code nanos}. */
    void succeeded(Delivery d, long nanos) {
        if (processingCount == GROUP) {
            flush();
        }
        processingNanos[processingCount++] = Math.max(0, nanos);
        processed += d.events().size();
    }

    /** Adds what was gathered to the partition's metrics. */
    void flush() {
        if (processed > 0) {
            scope.processed().mark(processed);
            processed = 0;
        }
        WindowTimer.updateAll(scope.processingTime(), processingNanos, processingCount);
        processingCount = 0;
        WindowHistogram.updateAll(scope.latency(), latencies, latencyCount);
        latencyCount = 0;
        WindowHistogram.updateAll(scope.batchSize(), batchSizes, batchSizeCount);
        batchSizeCount = 0;
        lastFlush = System.nanoTime();
    }
}
