// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which of an executor's partitions a retention pass should visit, when only
 * acknowledgements can move the trim point (the acked policy without limits).
 *
 * <p>The trim point is the oldest entry any group still needs, so it moves only when the
 * group holding it back acknowledges something, and that group's own owner then runs a
 * pass. A partition this executor acknowledged nothing in since its last pass can usually
 * be passed over; it is visited anyway every {@value #QUIET_PASS_EVERY}th interval, for
 * groups no Runnel executor owns (another tool's) and for the audit of trimmed entries. With
 * 1,024 idle partitions over 64 executors, passes over idle partitions were most of the
 * commands Redis served at rest (issue 12's scale measurement).
 *
 * <p>Used by the retention thread only.
 */
final class RetentionSchedule {
    /** A partition passed over this many intervals in a row is visited anyway. */
    static final int QUIET_PASS_EVERY = 10;

    /** Per partition visited at least once: the intervals passed over since its last visit. */
    private final Map<Integer, Integer> quietIntervals = new HashMap<>();

    /** Forgets partitions no longer owned, so one acquired again is visited at once. */
    void keepOnly(Set<Integer> owned) {
        quietIntervals.keySet().retainAll(owned);
    }

    /** A visit failed (Redis unreachable): visit the partition in the next interval. */
    void retry(int partition) {
        quietIntervals.remove(partition);
    }

    /**
     * Whether to visit {@code partition} in this interval; counts it as visited if so.
     *
     * @param acked whether this executor's acks of the partition were taken since the last interval
     */
    boolean due(int partition, boolean acked) {
        Integer quiet = quietIntervals.get(partition);
        if (acked || quiet == null || quiet + 1 >= QUIET_PASS_EVERY) {
            quietIntervals.put(partition, 0);
            return true;
        }
        quietIntervals.put(partition, quiet + 1);
        return false;
    }
}
