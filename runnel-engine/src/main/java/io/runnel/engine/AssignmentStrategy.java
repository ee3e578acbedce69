// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides which executor owns which partitions: a pure function from the members of a
 * processor to their assignments, with no I/O, so it can be unit-tested and replaced (bind
 * your own through a Guice module passed to {@link App.Builder#module}). The coordination
 * that applies it lives elsewhere.
 */
@FunctionalInterface
public interface AssignmentStrategy {

    /**
     * Assigns a stream's partitions to a processor's executors.
     *
     * @param executors      executor ids, oldest member first
     * @param partitionCount number of partitions of the stream
     * @param previous       the assignment in the membership record before this change, by
     *                       executor (a leaver's and a newcomer's are absent); may name
     *                       partitions that no longer exist
     * @return for every executor (in the same order), the partitions it owns; each
     *         partition exactly once; an executor may get none when there are more
     *         executors than partitions
     */
    Map<String, List<Integer>> assign(List<String> executors, int partitionCount, Map<String, List<Integer>> previous);

    /**
     * The default ({@code default_assignment=sticky}): balanced, and a membership change
     * moves only what it must: a join only what the newcomer receives, a leave only the
     * leaver's partitions. See {@link StickyAssignment}.
     *
     * @return a new sticky strategy
     */
    static AssignmentStrategy sticky() {
        return new StickyAssignment();
    }

    /**
     * As in the Python original ({@code default_assignment=ranges}): partitions split into
     * contiguous, even ranges in join order (the first {@code partitionCount mod executors}
     * members get one more), whatever the previous assignment. For processors shared with
     * Python runnel workers, which compute the same ranges; otherwise a membership change
     * moves partitions between executors that stay.
     *
     * @return the ranges strategy
     */
    static AssignmentStrategy contiguousRanges() {
        return (executors, partitionCount, previous) -> {
            Map<String, List<Integer>> result = new LinkedHashMap<>();
            int n = executors.size();
            if (n == 0) {
                return result;
            }
            int base = partitionCount / n;
            int extra = partitionCount % n;
            int next = 0;
            for (int i = 0; i < n; i++) {
                int size = base + (i < extra ? 1 : 0);
                List<Integer> partitions = new ArrayList<>(size);
                for (int p = 0; p < size; p++) {
                    partitions.add(next++);
                }
                result.put(executors.get(i), partitions);
            }
            return result;
        };
    }
}
