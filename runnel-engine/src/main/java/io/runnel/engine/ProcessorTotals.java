// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Clock;
import com.codahale.metrics.Counting;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metered;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import com.codahale.metrics.UniformSnapshot;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * A processor's whole-processor metrics, computed from its partitions' when read rather than
 * recorded alongside them. Every partition's consumer then records into its own partition's
 * metrics only: before, each event also updated the processor's shared meters, timer and
 * histograms, which the consumers of all partitions contended for (the recording cost 4.4×
 * more per event on two threads than on one; issue 18).
 *
 * <p>They are the Dropwizard types the metrics docs describe, so reporters and bridges read them
 * as before; recording into them is a programming error.
 */
final class ProcessorTotals {
    private ProcessorTotals() {
    }

    private static long count(List<? extends Counting> parts) {
        long sum = 0;
        for (Counting c : parts) {
            sum += c.getCount();
        }
        return sum;
    }

    /** The sum of the parts' counts and rates. */
    static final class SumMeter extends Meter {
        private final List<? extends Metered> parts;

        SumMeter(List<? extends Metered> parts) {
            this.parts = List.copyOf(parts);
        }

        @Override
        public void mark(long n) {
            throw new UnsupportedOperationException("a processor total is the sum of its partitions': mark those");
        }

        @Override
        public long getCount() {
            return count(parts);
        }

        @Override
        public double getMeanRate() {
            return sum(Metered::getMeanRate);
        }

        @Override
        public double getOneMinuteRate() {
            return sum(Metered::getOneMinuteRate);
        }

        @Override
        public double getFiveMinuteRate() {
            return sum(Metered::getFiveMinuteRate);
        }

        @Override
        public double getFifteenMinuteRate() {
            return sum(Metered::getFifteenMinuteRate);
        }

        private double sum(ToDoubleFunction<Metered> rate) {
            double sum = 0;
            for (Metered m : parts) {
                sum += rate.applyAsDouble(m);
            }
            return sum;
        }
    }

    /**
     * The parts' counts summed, and their samples together: the union of each partition's
     * window (its last {@link ProcessorMetrics#WINDOW} values). As a {@link Distribution}, its
     * count, sum and followers are those of the parts that are distributions: a part someone
     * else registered under a Runnel name (a plain Dropwizard histogram) keeps no sum, so it is
     * left out of {@link #count()} and {@link #sum()} alike and the two stay a matching pair.
     */
    static final class MergedHistogram extends Histogram implements Distribution {
        private final List<? extends Sampling> parts;
        private final List<? extends Counting> counts;
        private final List<Distribution> distributions;

        <P extends Sampling & Counting> MergedHistogram(List<P> parts) {
            super(new SlidingWindowReservoir(1)); // never written: the parts hold the samples
            this.parts = List.copyOf(parts);
            this.counts = List.copyOf(parts);
            this.distributions = parts.stream().filter(Distribution.class::isInstance).map(Distribution.class::cast)
                    .toList();
        }

        @Override
        public void update(long value) {
            throw new UnsupportedOperationException("a processor total merges its partitions': update those");
        }

        @Override
        public long getCount() {
            return ProcessorTotals.count(counts);
        }

        @Override
        public long count() {
            long sum = 0;
            for (Distribution d : distributions) {
                sum += d.count();
            }
            return sum;
        }

        @Override
        public long sum() {
            long sum = 0;
            for (Distribution d : distributions) {
                sum += d.sum();
            }
            return sum;
        }

        @Override
        public void follow(Listener listener) {
            distributions.forEach(d -> d.follow(listener));
        }

        @Override
        public void unfollow(Listener listener) {
            distributions.forEach(d -> d.unfollow(listener));
        }

        @Override
        public Snapshot getSnapshot() {
            long[][] each = new long[parts.size()][];
            int size = 0;
            for (int i = 0; i < each.length; i++) {
                each[i] = parts.get(i).getSnapshot().getValues();
                size += each[i].length;
            }
            long[] all = new long[size];
            int at = 0;
            for (long[] values : each) {
                System.arraycopy(values, 0, all, at, values.length);
                at += values.length;
            }
            return new UniformSnapshot(all);
        }
    }

    /**
     * The parts' timers as one: counts and rates summed, windows merged, and as a
     * {@link Distribution} the total duration (nanoseconds) of the parts that keep one.
     */
    static final class MergedTimer extends Timer implements Distribution {
        private final MergedHistogram durations;

        MergedTimer(List<Timer> parts) {
            this(new SumMeter(parts), new MergedHistogram(parts));
        }

        private MergedTimer(SumMeter rates, MergedHistogram durations) {
            super(rates, durations, Clock.defaultClock());
            this.durations = durations;
        }

        @Override
        public void update(long duration, TimeUnit unit) {
            throw new UnsupportedOperationException("a processor total merges its partitions': update those");
        }

        @Override
        public long count() {
            return durations.count();
        }

        /** The total of every duration, in nanoseconds. */
        @Override
        public long sum() {
            return durations.sum();
        }

        @Override
        public void follow(Listener listener) {
            durations.follow(listener);
        }

        @Override
        public void unfollow(Listener listener) {
            durations.unfollow(listener);
        }
    }
}
