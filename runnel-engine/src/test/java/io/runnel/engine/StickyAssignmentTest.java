// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sticky strategy over random sequences of joins, leaves and restarts (a leave and a
 * join under a new id, as a dynamic member's restart is): after every step the assignment is
 * balanced, moved only what the step required, and is the same whatever order the previous
 * assignment was handed over in.
 */
class StickyAssignmentTest {
    private final AssignmentStrategy sticky = AssignmentStrategy.sticky();

    /** A step: 0 join, 1 leave of the member at {@code index mod size}, 2 restart of that member. */
    record Step(int kind, int index) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Arbitraries.integers().between(0, 2)
                .flatMap(kind -> Arbitraries.integers().between(0, 1000).map(index -> new Step(kind, index)));
        return step.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 500)
    void every_step_is_balanced_minimal_and_deterministic(@ForAll @IntRange(min = 1, max = 64) int partitions,
                                                          @ForAll("steps") List<Step> steps) {
        List<String> members = new ArrayList<>();
        Map<String, List<Integer>> current = new LinkedHashMap<>();
        int next = 0;
        for (Step step : steps) {
            Map<String, List<Integer>> before = new LinkedHashMap<>(current);
            String joiner = null;
            String leaver = null;
            if (step.kind() == 0 || members.isEmpty()) {
                joiner = "e" + next++;
                members.add(joiner);
            } else {
                leaver = members.remove(step.index() % members.size());
                if (step.kind() == 2) {
                    joiner = "e" + next++;
                    members.add(joiner);
                }
            }
            Map<String, List<Integer>> previous = new LinkedHashMap<>(before);
            previous.keySet().retainAll(members);
            current = sticky.assign(List.copyOf(members), partitions, previous);
            if (members.isEmpty()) {
                assertThat(current).as("the last member left").isEmpty();
                continue;
            }

            assertCoversEveryPartitionOnce(current, members, partitions);
            assertBalanced(current);
            assertThat(sticky.assign(List.copyOf(members), partitions, reversed(previous)))
                    .as("same result whatever the previous map's order").isEqualTo(current);
            for (String member : members) {
                if (member.equals(joiner)) {
                    continue;
                }
                Set<Integer> had = new HashSet<>(before.getOrDefault(member, List.of()));
                Set<Integer> has = new HashSet<>(current.get(member));
                if (step.kind() == 0) {
                    assertThat(had).as("a join takes only from %s, never gives to it", member).containsAll(has);
                } else if (step.kind() == 1) {
                    assertThat(has).as("a leave takes nothing from %s", member).containsAll(had);
                }
            }
            if (step.kind() == 0 && before.size() > 0) {
                int moved = 0;
                for (String member : before.keySet()) {
                    moved += before.get(member).size() - current.get(member).size();
                }
                assertThat(moved).as("a join moves only what the newcomer receives")
                        .isEqualTo(current.get(joiner).size());
            }
        }
    }

    @Example
    void a_third_worker_over_16_partitions_takes_5_and_the_others_keep_the_rest() {
        Map<String, List<Integer>> two = joinOneByOne(2, 16);
        Map<String, List<Integer>> three = sticky.assign(List.of("e0", "e1", "e2"), 16, two);

        assertThat(three.get("e2")).hasSize(5);
        assertThat(two.get("e0")).containsAll(three.get("e0"));
        assertThat(two.get("e1")).containsAll(three.get("e1"));
        assertThat(moved(two, three)).isEqualTo(5);
    }

    @Example
    void going_from_7_to_8_workers_over_32_partitions_moves_4() {
        Map<String, List<Integer>> seven = joinOneByOne(7, 32);
        List<String> eight = new ArrayList<>(seven.keySet());
        eight.add("e7");

        assertThat(moved(seven, sticky.assign(eight, 32, seven))).isEqualTo(4);
        AssignmentStrategy ranges = AssignmentStrategy.contiguousRanges();
        assertThat(moved(ranges.assign(eight.subList(0, 7), 32, Map.of()), ranges.assign(eight, 32, Map.of())))
                .as("Python runnel's ranges, for comparison").isEqualTo(22);
    }

    /** The assignment after {@code n} executors joined one after another. */
    private Map<String, List<Integer>> joinOneByOne(int n, int partitions) {
        List<String> members = new ArrayList<>();
        Map<String, List<Integer>> current = Map.of();
        for (int i = 0; i < n; i++) {
            members.add("e" + i);
            current = sticky.assign(List.copyOf(members), partitions, current);
        }
        return current;
    }

    /** Partitions whose owner differs between two assignments (a newcomer's count as moved). */
    private static int moved(Map<String, List<Integer>> before, Map<String, List<Integer>> after) {
        Map<Integer, String> ownerBefore = new HashMap<>();
        before.forEach((e, ps) -> ps.forEach(p -> ownerBefore.put(p, e)));
        int moved = 0;
        for (Map.Entry<String, List<Integer>> e : after.entrySet()) {
            for (int p : e.getValue()) {
                if (!e.getKey().equals(ownerBefore.get(p))) {
                    moved++;
                }
            }
        }
        return moved;
    }

    private static void assertCoversEveryPartitionOnce(Map<String, List<Integer>> assignment, List<String> members,
                                                      int partitions) {
        assertThat(assignment.keySet()).containsExactlyElementsOf(members);
        List<Integer> all = new ArrayList<>();
        assignment.values().forEach(all::addAll);
        Collections.sort(all);
        List<Integer> expected = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            expected.add(p);
        }
        assertThat(all).isEqualTo(expected);
    }

    private static void assertBalanced(Map<String, List<Integer>> assignment) {
        int min = assignment.values().stream().mapToInt(List::size).min().orElse(0);
        int max = assignment.values().stream().mapToInt(List::size).max().orElse(0);
        assertThat(max - min).as("counts differ by at most one: %s", assignment).isLessThanOrEqualTo(1);
    }

    private static Map<String, List<Integer>> reversed(Map<String, List<Integer>> map) {
        List<String> keys = new ArrayList<>(map.keySet());
        Collections.reverse(keys);
        Map<String, List<Integer>> copy = new HashMap<>();
        for (String k : keys) {
            List<Integer> partitions = new ArrayList<>(map.get(k));
            Collections.reverse(partitions);
            copy.put(k, partitions);
        }
        return copy;
    }
}
