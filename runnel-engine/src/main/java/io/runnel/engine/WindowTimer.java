// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Clock;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Timer;

import java.util.concurrent.TimeUnit;

/**
 * A timer whose durations (the last {@code size} kept, as in {@link WindowHistogram}) can
 * also be added in groups: one lock, one count update and one meter mark per group. Its
 * {@link #sum()} is the total of every duration added, in nanoseconds.
 */
final class WindowTimer extends Timer implements Distribution {
    private final Meter meter;
    private final WindowHistogram histogram;

    WindowTimer(int size) {
        this(new Meter(), new WindowHistogram(size));
    }

    private WindowTimer(Meter meter, WindowHistogram histogram) {
        super(meter, histogram, Clock.defaultClock());
        this.meter = meter;
        this.histogram = histogram;
    }

    /** Adds the durations {@code nanos[0..n)}, each zero or more. */
    void updateAll(long[] nanos, int n) {
        if (n == 0) {
            return;
        }
        histogram.updateAll(nanos, n);
        meter.mark(n);
    }

    /** Adds durations in groups to any timer: in one go to a {@link WindowTimer}, else one by one. */
    static void updateAll(Timer timer, long[] nanos, int n) {
        if (timer instanceof WindowTimer w) {
            w.updateAll(nanos, n);
        } else {
            for (int i = 0; i < n; i++) {
                timer.update(nanos[i], TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public long count() {
        return histogram.count();
    }

    /** The total of every duration added, in nanoseconds. */
    @Override
    public long sum() {
        return histogram.sum();
    }

    @Override
    public void follow(Listener listener) {
        histogram.follow(listener);
    }

    @Override
    public void unfollow(Listener listener) {
        histogram.unfollow(listener);
    }
}
