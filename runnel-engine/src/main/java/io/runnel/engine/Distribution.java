// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

/**
 * A timer or histogram of Runnel's (processing time, latency, batch size, rebalances) seen as
 * what an exporter needs: how many values were recorded, their sum, and each value as it is
 * recorded. Dropwizard's own {@code Timer} and {@code Histogram} keep only a window of recent
 * values, whose mean times the count is no total: it falls when recent values are smaller than
 * older ones, which a Prometheus {@code _sum} must never do. These keep the true sum.
 *
 * <p>Values are in the unit the metric records: nanoseconds for the timers
 * ({@code processing-time}, {@code rebalances}), milliseconds for {@code latency-ms}, events for
 * {@code batch-size}; {@link RunnelMetric} says how each is exported.
 */
public sealed interface Distribution permits WindowHistogram, WindowTimer, ProcessorTotals.MergedHistogram,
        ProcessorTotals.MergedTimer {

    /**
     * Values recorded since the metric was made.
     *
     * @return the number of values
     */
    long count();

    /**
     * The sum of every value recorded since the metric was made (not only of those in its window).
     *
     * @return the sum, in the metric's unit
     */
    long sum();

    /**
     * Tells {@code listener} of every value recorded from now on, on the thread that records it
     * (a partition's consumer, in groups): it must be quick and must not block. A processor's
     * total tells of its partitions' values.
     *
     * @param listener told of each value; it must be quick and must not block
     */
    void follow(Listener listener);

    /**
     * Stops telling {@code listener}.
     *
     * @param listener a listener given to {@link #follow(Listener)}; others are ignored
     */
    void unfollow(Listener listener);

    /** Receives recorded values. */
    @FunctionalInterface
    interface Listener {
        /**
         * {@code values[0..n)} were recorded. The array is the recorder's and is reused after
         * this returns: read it, do not keep it.
         *
         * @param values the recorder's array, holding the values from index 0
         * @param n      how many values it holds
         */
        void recorded(long[] values, int n);
    }
}
