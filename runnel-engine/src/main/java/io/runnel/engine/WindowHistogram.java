// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.UniformSnapshot;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * A histogram of the last {@code size} values, like one over Dropwizard's
 * {@link SlidingWindowReservoir}, that also takes values in groups: one lock and one count
 * update per group instead of per value. A partition's consumer gathers its values and adds
 * them here in groups ({@link DeliveryMetrics}), which is most of what keeps the metrics'
 * share of the CPU per event small.
 *
 * <p>Besides the window it keeps the sum of every value ever added ({@link #sum()}), so that
 * exporters report a true total, and tells its {@linkplain #follow followers} of each group.
 */
final class WindowHistogram extends Histogram implements Distribution {
    private final long[] window;
    private final LongAdder count = new LongAdder();
    private final Followers followers = new Followers();
    /** Values ever written to the window; guarded by {@code this}. */
    private long written;
    /** The sum of every value added; written under {@code this}, read without it. */
    private volatile long sum;

    WindowHistogram(int size) {
        super(new SlidingWindowReservoir(1)); // never written: the window below holds the values
        this.window = new long[size];
    }

    @Override
    public void update(int value) {
        update((long) value);
    }

    @Override
    public void update(long value) {
        count.increment();
        synchronized (this) {
            window[(int) (written++ % window.length)] = value;
            sum += value;
        }
        followers.tell(value);
    }

    /** Adds {@code values[0..n)} in one go. */
    void updateAll(long[] values, int n) {
        if (n == 0) {
            return;
        }
        count.add(n);
        synchronized (this) {
            long s = sum;
            for (int i = 0; i < n; i++) {
                window[(int) (written++ % window.length)] = values[i];
                s += values[i];
            }
            sum = s;
        }
        followers.tell(values, n); // outside the lock: a follower's work does not hold up readers
    }

    /** Adds values in groups to any histogram: in one go to a {@link WindowHistogram}, else one by one. */
    static void updateAll(Histogram histogram, long[] values, int n) {
        if (histogram instanceof WindowHistogram w) {
            w.updateAll(values, n);
        } else {
            for (int i = 0; i < n; i++) {
                histogram.update(values[i]);
            }
        }
    }

    @Override
    public long getCount() {
        return count.sum();
    }

    @Override
    public long count() {
        return count.sum();
    }

    @Override
    public long sum() {
        return sum;
    }

    @Override
    public void follow(Listener listener) {
        followers.add(listener);
    }

    @Override
    public void unfollow(Listener listener) {
        followers.remove(listener);
    }

    @Override
    public Snapshot getSnapshot() {
        long[] values;
        synchronized (this) {
            values = Arrays.copyOf(window, (int) Math.min(written, window.length));
        }
        return new UniformSnapshot(values);
    }
}
