// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metered;
import com.codahale.metrics.Sampling;
import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.UniformSnapshot;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A processor's whole-processor metrics, computed from its partitions' when read rather than
 * recorded alongside them. Every partition's consumer then records into its own partition's
 * metrics only: before, each event also updated the processor's shared meters, timer and
 * histograms, which the consumers of all partitions contended for (the recording cost 4.4×
 * more per event on two threads than on one; issue 18).
 *
 * <p>They are the Dropwizard types the README documents, so reporters and bridges read them
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
     * window (its last {@link ProcessorMetrics#WINDOW} values).
     */
    static final class MergedHistogram<P extends Sampling & Counting> extends Histogram {
        private final List<P> parts;

        MergedHistogram(List<P> parts) {
            super(new SlidingWindowReservoir(1)); // never written: the parts hold the samples
            this.parts = List.copyOf(parts);
        }

        @Override
        public void update(long value) {
            throw new UnsupportedOperationException("a processor total merges its partitions': update those");
        }

        @Override
        public long getCount() {
            return count(parts);
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
}
