// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Time windows of a windowed aggregation ({@link ProcessorFunction#aggregateWindows}): tumbling
 * (back to back) or hopping (overlapping), by event time, with a grace period.
 *
 * <p>An event's time is its stream id's time: when Redis appended it. Each partition keeps a
 * <em>watermark</em>, the latest event time it processed; a window {@code [start, end)} closes
 * once the watermark reaches {@code end + grace}, and its results are emitted then. While a
 * partition has no events, the worker's clock moves the watermark instead, so the last
 * windows close on time, not at the next event. An event whose windows closed already is
 * late: it is acknowledged without being aggregated, and counted by the {@code late-events}
 * metric. Grace covers the difference between the worker's clock and the Redis server's.
 *
 * <pre>{@code
 * Windows perMinute = Windows.tumbling(Duration.ofMinutes(1)).withGrace(Duration.ofSeconds(5));
 * }</pre>
 */
public final class Windows {
    private final Duration size;
    private final Duration advance;
    private final Duration grace;

    private Windows(Duration size, Duration advance, Duration grace) {
        this.size = size;
        this.advance = advance;
        this.grace = grace;
    }

    /**
     * Back-to-back windows of {@code size}, aligned to the epoch: every event is in one window.
     *
     * @param size how long each window is, at least 1 ms
     * @return the windows, without grace
     */
    public static Windows tumbling(Duration size) {
        return hopping(size, size);
    }

    /**
     * Windows of {@code size} starting every {@code advance}, aligned to the epoch: an event is
     * in {@code size / advance} windows.
     *
     * @param size    how long each window is, at least 1 ms
     * @param advance how far apart windows start: at least 1 ms, at most {@code size}
     * @return the windows, without grace
     */
    public static Windows hopping(Duration size, Duration advance) {
        long sizeMillis = Objects.requireNonNull(size, "size").toMillis();
        long advanceMillis = Objects.requireNonNull(advance, "advance").toMillis();
        if (sizeMillis < 1 || advanceMillis < 1 || advanceMillis > sizeMillis) {
            throw new IllegalArgumentException("windows need 1 ms <= advance <= size, got size " + size
                    + " and advance " + advance);
        }
        return new Windows(Duration.ofMillis(sizeMillis), Duration.ofMillis(advanceMillis), Duration.ZERO);
    }

    /**
     * These windows with a grace period: a window closes {@code grace} after its end, so events
     * that come that much out of order still count.
     *
     * @param grace how long after its end a window stays open, not negative
     * @return new windows
     */
    public Windows withGrace(Duration grace) {
        if (Objects.requireNonNull(grace, "grace").isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, got " + grace);
        }
        return new Windows(size, advance, Duration.ofMillis(grace.toMillis()));
    }

    /**
     * How long each window is.
     *
     * @return the size
     */
    public Duration size() {
        return size;
    }

    /**
     * How far apart windows start: their size when tumbling.
     *
     * @return the advance
     */
    public Duration advance() {
        return advance;
    }

    /**
     * How long after its end a window closes.
     *
     * @return the grace period
     */
    public Duration grace() {
        return grace;
    }

    /** The starts of the windows that hold time {@code t} (epoch millis), latest first. */
    long[] startsOf(long t) {
        long sizeMillis = size.toMillis();
        long step = advance.toMillis();
        long last = Math.floorDiv(t, step) * step;
        // Windows starting after t - size, at multiples of the advance up to the last.
        int count = (int) Math.ceilDiv(last - t + sizeMillis, step);
        long[] starts = new long[count];
        for (int i = 0; i < count; i++) {
            starts[i] = last - i * step;
        }
        return starts;
    }

    /** When the window starting at {@code start} closes: its end plus grace, epoch millis. */
    long closesAt(long start) {
        return start + size.toMillis() + grace.toMillis();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Windows w && size.equals(w.size) && advance.equals(w.advance) && grace.equals(w.grace);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, advance, grace);
    }

    @Override
    public String toString() {
        return (size.equals(advance) ? "tumbling " + size : "hopping " + size + " every " + advance) + ", grace " + grace;
    }

    /**
     * Adds one record to a window's aggregate: a pure function, since it runs again when a
     * delivery is retried.
     *
     * @param <T> the record type
     * @param <A> the aggregate's type
     */
    @FunctionalInterface
    public interface Aggregator<T, A> {
        /**
         * The window's aggregate with {@code record} added.
         *
         * @param aggregate the aggregate so far, null for the window's first record of the key
         * @param record    the record
         * @return the new aggregate, not null
         * @throws Exception a failure: the delivery's, handled by the processor's policies
         */
        A add(A aggregate, T record) throws Exception;
    }

    /**
     * What a windowed aggregation does with a window's result once the window closes: usually
     * sends it through the context, so that under {@code exactly_once} each result is emitted
     * exactly once.
     *
     * @param <A> the aggregate's type
     */
    @FunctionalInterface
    public interface Emitter<A> {
        /**
         * Emits one key's result of a closed window.
         *
         * @param window  the window, its key and its aggregate
         * @param context the context of the delivery whose event time closed the window, or of the
         *                idle partition's clock tick ({@link ProcessingContext#event()} is then null)
         * @throws Exception a failure: the delivery's, handled by the processor's policies, or
         *                   on a clock tick logged and tried again a second later
         */
        void closed(Closed<A> window, ProcessingContext context) throws Exception;
    }

    /**
     * One key's result of a closed window.
     *
     * @param <A> the aggregate's type
     */
    public static final class Closed<A> {
        private final String key;
        private final Instant start;
        private final Instant end;
        private final A value;

        Closed(String key, Instant start, Instant end, A value) {
            this.key = key;
            this.start = start;
            this.end = end;
            this.value = value;
        }

        /**
         * The partition key the records were grouped by, as text.
         *
         * @return the key
         */
        public String key() {
            return key;
        }

        /**
         * When the window starts (inclusive).
         *
         * @return the start
         */
        public Instant start() {
            return start;
        }

        /**
         * When the window ends (exclusive).
         *
         * @return the end
         */
        public Instant end() {
            return end;
        }

        /**
         * The aggregate of the key's records in the window.
         *
         * @return the aggregate
         */
        public A value() {
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Closed<?> c && key.equals(c.key) && start.equals(c.start) && end.equals(c.end)
                    && value.equals(c.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, start, end, value);
        }

        @Override
        public String toString() {
            return "Closed[" + key + " " + start + ".." + end + " = " + value + "]";
        }
    }
}
