// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static io.runnel.engine.RetentionSchedule.QUIET_PASS_EVERY;
import static org.assertj.core.api.Assertions.assertThat;

/** Which partitions a retention pass visits under the acked policy without limits. */
class RetentionScheduleTest {
    private final RetentionSchedule schedule = new RetentionSchedule();

    @Test
    void a_partition_is_visited_at_once_then_after_acks_and_otherwise_every_tenth_interval() {
        assertThat(schedule.due(3, false)).as("first interval after acquiring it").isTrue();
        for (int quiet = 1; quiet < QUIET_PASS_EVERY; quiet++) {
            assertThat(schedule.due(3, false)).as("quiet interval %d", quiet).isFalse();
        }
        assertThat(schedule.due(3, false)).as("the tenth quiet interval").isTrue();
        assertThat(schedule.due(3, false)).isFalse();
        assertThat(schedule.due(3, true)).as("acks since the last interval").isTrue();
        assertThat(schedule.due(3, false)).as("the count starts again after an acked visit").isFalse();
    }

    @Test
    void partitions_are_counted_apart() {
        schedule.due(1, false);
        schedule.due(2, false);
        assertThat(schedule.due(1, true)).isTrue();
        assertThat(schedule.due(2, false)).isFalse();
    }

    @Test
    void a_partition_released_and_acquired_again_is_visited_at_once() {
        schedule.due(5, false);
        schedule.keepOnly(Set.of(6));
        assertThat(schedule.due(5, false)).isTrue();
    }

    @Test
    void a_failed_visit_is_made_again_in_the_next_interval() {
        schedule.due(7, false);
        schedule.retry(7);
        assertThat(schedule.due(7, false)).isTrue();
    }
}
