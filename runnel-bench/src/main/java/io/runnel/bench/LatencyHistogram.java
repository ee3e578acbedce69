// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket, log-linear histogram of non-negative values (microseconds here), safe to
 * record into from many threads at once. Values below 128 get a bucket each; above, every
 * power of two is split into 64 buckets, so a reported value is at most 1/64 (1.6 %) above
 * the true one — the same idea as HdrHistogram with two significant digits, small enough
 * to write here instead of adding a dependency. Values beyond about an hour are clamped.
 */
public final class LatencyHistogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS;          // 64 buckets per power of two
    private static final int LINEAR = 2 * SUB;               // 0..127 exact
    private static final int MAGNITUDES = 26;                // up to 2^32 µs ≈ 71 min
    private static final long MAX = (1L << (SUB_BITS + MAGNITUDES)) - 1;

    private final AtomicLongArray counts = new AtomicLongArray(LINEAR + (MAGNITUDES - 1) * SUB);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong max = new AtomicLong();
    private final AtomicLong min = new AtomicLong(Long.MAX_VALUE);

    /** Records one value; negative values (clock steps) count as 0. */
    public void record(long value) {
        long v = Math.min(Math.max(0, value), MAX);
        counts.incrementAndGet(index(v));
        total.incrementAndGet();
        max.accumulateAndGet(v, Math::max);
        min.accumulateAndGet(v, Math::min);
    }

    public long count() {
        return total.get();
    }

    public long max() {
        return total.get() == 0 ? 0 : max.get();
    }

    public long min() {
        return total.get() == 0 ? 0 : min.get();
    }

    /**
     * The value at {@code percentile} (0–100): the upper edge of the bucket holding the
     * ceil(p·count)-th smallest value, never above the recorded maximum.
     */
    public long percentile(double percentile) {
        long n = total.get();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.min(highest(i), max.get());
            }
        }
        return max.get();
    }

    static int index(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int shift = (63 - Long.numberOfLeadingZeros(v)) - SUB_BITS; // v >> shift lies in [64, 127]
        return LINEAR + (shift - 1) * SUB + (int) ((v >> shift) - SUB);
    }

    /** The largest value that falls into bucket {@code i}. */
    static long highest(int i) {
        if (i < LINEAR) {
            return i;
        }
        int shift = (i - LINEAR) / SUB + 1;
        long mantissa = (i - LINEAR) % SUB + SUB;
        return ((mantissa + 1) << shift) - 1;
    }
}
