// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster key layout's slot arithmetic; {@code ClusterLayoutOnClusterTest} checks it against real nodes. */
class ClusterLayoutTest {

    @Test
    void slots_are_redis_cluster_slots() {
        assertThat(ClusterLayout.slot("123456789")).as("the CRC16/XMODEM check value 0x31C3").isEqualTo(0x31C3);
        assertThat(ClusterLayout.slot("foo")).isEqualTo(12182);
        assertThat(ClusterLayout.slot("bar")).isEqualTo(5061);
    }

    @Test
    void a_hash_tag_is_what_lies_between_the_first_brace_and_the_next_closing_one() {
        int user = ClusterLayout.slot("user1000");
        assertThat(ClusterLayout.slot("{user1000}.following")).isEqualTo(user);
        assertThat(ClusterLayout.slot("{user1000}.followers")).isEqualTo(user);
        assertThat(ClusterLayout.slot("foo{bar}{zap}")).isEqualTo(ClusterLayout.slot("bar"));
        assertThat(ClusterLayout.slot("foo{{bar}}zap")).isEqualTo(ClusterLayout.slot("{bar"));
        assertThat(ClusterLayout.slot("foo{}{bar}")).as("an empty tag: the whole key")
                .isNotEqualTo(ClusterLayout.slot("bar"));
    }

    @Test
    void every_slot_has_a_short_tag_that_lands_in_it() {
        for (int slot = 0; slot < ClusterLayout.SLOTS; slot++) {
            String tag = ClusterLayout.tagForSlot(slot);
            assertThat(tag).hasSizeLessThanOrEqualTo(6);
            assertThat(ClusterLayout.slot(tag)).isEqualTo(slot);
            assertThat(ClusterLayout.slot("__strm:app.orders.7{" + tag + "}")).isEqualTo(slot);
        }
    }

    @Property(tries = 200)
    void partitions_take_distinct_slots_spread_evenly_over_equal_masters(
            @ForAll @StringLength(min = 1, max = 12) String stream, @ForAll @IntRange(min = 1, max = 4096) int partitions,
            @ForAll @IntRange(min = 1, max = 8) int masters) {
        int[] perMaster = new int[masters];
        Set<Integer> slots = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            int slot = ClusterLayout.partitionSlot("app", stream, p, partitions);
            slots.add(slot);
            // redis-cli --cluster create gives master m the slots [m × 16384 / M, (m + 1) × 16384 / M).
            perMaster[(int) ((long) slot * masters / ClusterLayout.SLOTS)]++;
        }
        assertThat(slots).hasSize(partitions);
        for (int count : perMaster) {
            assertThat(count).isBetween(partitions / masters - 1, partitions / masters + 2);
        }
    }
}
