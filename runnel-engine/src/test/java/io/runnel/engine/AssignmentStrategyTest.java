// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AssignmentStrategyTest {
    private final AssignmentStrategy strategy = AssignmentStrategy.contiguousRanges();

    @Test
    void splits_partitions_into_even_contiguous_ranges_oldest_member_first() {
        Map<String, List<Integer>> a = strategy.assign(List.of("old", "mid", "new"), 8, Map.of());
        assertThat(a).containsExactly(
                Map.entry("old", List.of(0, 1, 2)),
                Map.entry("mid", List.of(3, 4, 5)),
                Map.entry("new", List.of(6, 7)));
    }

    @Test
    void extra_members_get_nothing() {
        assertThat(strategy.assign(List.of("a", "b", "c"), 2, Map.of()))
                .containsExactly(Map.entry("a", List.of(0)), Map.entry("b", List.of(1)), Map.entry("c", List.of()));
    }

    @Test
    void every_partition_is_assigned_exactly_once_for_any_membership() {
        for (int members = 1; members <= 20; members++) {
            for (int partitions = 1; partitions <= 40; partitions++) {
                List<String> ids = java.util.stream.IntStream.range(0, members).mapToObj(i -> "e" + i).toList();
                List<Integer> all = strategy.assign(ids, partitions, Map.of()).values().stream().flatMap(List::stream).sorted().toList();
                assertThat(all).containsExactlyElementsOf(java.util.stream.IntStream.range(0, partitions).boxed().toList());
            }
        }
    }

    @Test
    void no_members_no_assignment() {
        assertThat(strategy.assign(List.of(), 4, Map.of())).isEmpty();
    }
}
