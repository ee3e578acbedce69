// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The default {@link AssignmentStrategy}: balanced, and moving only what must move.
 *
 * <ul>
 *   <li><b>Balanced</b>: counts differ by at most one. The executors that already hold the
 *       most partitions (ties: the older member) get the larger share.</li>
 *   <li><b>Minimal</b>: each executor keeps as many of its previous partitions as its share
 *       allows (its lowest-numbered ones), so a join moves only what the newcomer receives and
 *       a leave moves only the leaver's partitions.</li>
 *   <li><b>Deterministic</b>: a pure function of its arguments, so every executor computes
 *       the same assignment from the same membership record.</li>
 * </ul>
 *
 * <p>Freed and unowned partitions go, lowest number first, to the executors short of their
 * share, in member order.
 */
final class StickyAssignment implements AssignmentStrategy {

    @Override
    public Map<String, List<Integer>> assign(List<String> executors, int partitionCount,
                                             Map<String, List<Integer>> previous) {
        Map<String, List<Integer>> result = new LinkedHashMap<>();
        if (executors.isEmpty()) {
            return result;
        }
        Map<String, List<Integer>> kept = claims(executors, partitionCount, previous);
        Map<String, Integer> shares = shares(executors, partitionCount, kept);

        TreeSet<Integer> free = new TreeSet<>();
        for (int p = 0; p < partitionCount; p++) {
            free.add(p);
        }
        for (String executor : executors) {
            List<Integer> mine = kept.get(executor);
            int share = shares.get(executor);
            if (mine.size() > share) {
                mine.subList(share, mine.size()).clear();
            }
            free.removeAll(mine);
        }
        for (String executor : executors) {
            List<Integer> mine = kept.get(executor);
            while (mine.size() < shares.get(executor)) {
                mine.add(free.pollFirst());
            }
            mine.sort(Comparator.naturalOrder());
            result.put(executor, List.copyOf(mine));
        }
        return result;
    }

    /**
     * Each executor's previous partitions that still exist, lowest first; a partition claimed
     * by two (a record written by hand, or by another strategy) goes to the older member.
     */
    private static Map<String, List<Integer>> claims(List<String> executors, int partitionCount,
                                                     Map<String, List<Integer>> previous) {
        boolean[] claimed = new boolean[partitionCount];
        Map<String, List<Integer>> kept = new HashMap<>();
        for (String executor : executors) {
            List<Integer> mine = new ArrayList<>();
            for (int p : new TreeSet<>(previous.getOrDefault(executor, List.of()))) {
                if (p >= 0 && p < partitionCount && !claimed[p]) {
                    claimed[p] = true;
                    mine.add(p);
                }
            }
            kept.put(executor, mine);
        }
        return kept;
    }

    /** How many partitions each executor gets: the extra ones go to those holding the most. */
    private static Map<String, Integer> shares(List<String> executors, int partitionCount,
                                               Map<String, List<Integer>> kept) {
        int base = partitionCount / executors.size();
        int extra = partitionCount % executors.size();
        List<String> largestFirst = new ArrayList<>(executors);
        largestFirst.sort(Comparator.comparingInt((String e) -> kept.get(e).size()).reversed()); // stable: ties by age
        Map<String, Integer> shares = new HashMap<>();
        for (int i = 0; i < largestFirst.size(); i++) {
            shares.put(largestFirst.get(i), base + (i < extra ? 1 : 0));
        }
        return shares;
    }
}
