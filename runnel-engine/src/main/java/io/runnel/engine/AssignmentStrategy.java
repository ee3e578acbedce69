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
     * @param executors      executor ids, oldest member first
     * @param partitionCount number of partitions of the stream
     * @return for every executor (in the same order), the partitions it owns; each
     *         partition exactly once; an executor may get none when there are more
     *         executors than partitions
     */
    Map<String, List<Integer>> assign(List<String> executors, int partitionCount);

    /**
     * The default, as in the Python original: partitions split into contiguous, even
     * ranges in join order (the first {@code partitionCount mod executors} members get one
     * more). Perfectly fair, at the cost of moving more partitions than consistent
     * hashing would when membership changes.
     */
    static AssignmentStrategy contiguousRanges() {
        return (executors, partitionCount) -> {
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
