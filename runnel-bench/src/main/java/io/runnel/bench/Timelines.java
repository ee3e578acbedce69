// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.util.Arrays;

/**
 * When each event was processed ({@code System.nanoTime()}), per partition: the raw material
 * for "how long did this partition stop". Appended by processor threads, read after the run.
 */
final class Timelines {
    private final long[][] times;
    private final int[] sizes;
    private long total;

    Timelines(int partitions) {
        times = new long[partitions][1024];
        sizes = new int[partitions];
    }

    synchronized void add(int partition, long nanos) {
        if (sizes[partition] == times[partition].length) {
            times[partition] = Arrays.copyOf(times[partition], times[partition].length * 2);
        }
        times[partition][sizes[partition]++] = nanos;
        total++;
    }

    synchronized long total() {
        return total;
    }

    /** The processing times of one partition, in order. */
    synchronized long[] of(int partition) {
        long[] t = Arrays.copyOf(times[partition], sizes[partition]);
        Arrays.sort(t); // two owners in turn (a hand-over) may interleave their appends
        return t;
    }

    /** The first time after {@code from} the partition was processed, or -1. */
    synchronized long firstAfter(int partition, long from) {
        long first = -1;
        for (int i = 0; i < sizes[partition]; i++) {
            long t = times[partition][i];
            if (t > from && (first < 0 || t < first)) {
                first = t;
            }
        }
        return first;
    }

    /**
     * The longest pause between two consecutive processed events of {@code partition} (over
     * the union of {@code sources}) that overlaps [{@code from}, {@code to}].
     */
    static long maxGap(int partition, long from, long to, Timelines... sources) {
        long[] all = new long[0];
        for (Timelines s : sources) {
            long[] t = s.of(partition);
            long[] merged = Arrays.copyOf(all, all.length + t.length);
            System.arraycopy(t, 0, merged, all.length, t.length);
            all = merged;
        }
        Arrays.sort(all);
        long max = 0;
        for (int i = 1; i < all.length; i++) {
            if (all[i] >= from && all[i - 1] <= to) {
                max = Math.max(max, all[i] - all[i - 1]);
            }
        }
        return max;
    }
}
