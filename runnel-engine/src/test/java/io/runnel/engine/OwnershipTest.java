// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Fence;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.PartitionState.ACQUIRING;
import static io.runnel.engine.PartitionState.FLOWING;
import static io.runnel.engine.PartitionState.LOST;
import static io.runnel.engine.PartitionState.QUARANTINED;
import static io.runnel.engine.PartitionState.RELEASED;
import static io.runnel.engine.PartitionState.RELEASING;
import static io.runnel.engine.PartitionState.STUCK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The partition state machine: exactly the documented moves, and a table that refuses the rest. */
class OwnershipTest {
    private static final Map<PartitionState, Set<PartitionState>> MOVES = Map.of(
            ACQUIRING, EnumSet.of(FLOWING, RELEASED),
            FLOWING, EnumSet.of(STUCK, QUARANTINED, RELEASING, LOST),
            STUCK, EnumSet.of(FLOWING, QUARANTINED, RELEASING, LOST),
            QUARANTINED, EnumSet.of(RELEASING, LOST),
            RELEASING, EnumSet.of(RELEASED, LOST),
            RELEASED, EnumSet.noneOf(PartitionState.class),
            LOST, EnumSet.noneOf(PartitionState.class));

    @Test
    void the_allowed_moves_are_exactly_those_documented() {
        for (PartitionState from : PartitionState.values()) {
            for (PartitionState to : PartitionState.values()) {
                assertThat(to.canFollow(from)).as(from + " -> " + to).isEqualTo(MOVES.get(from).contains(to));
            }
        }
    }

    @Test
    void a_move_the_state_machine_does_not_allow_throws_and_changes_nothing() {
        Ownership ownership = new Ownership("proc");
        Ownership.Entry e = ownership.acquiring(lease(3));

        assertThatThrownBy(() -> ownership.releasing(e)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("partition 3 cannot move from ACQUIRING to RELEASING");
        assertThat(e.state()).isEqualTo(ACQUIRING);
        assertThatThrownBy(() -> ownership.acquiring(lease(3))).as("one entry, one lease per partition")
                .isInstanceOf(IllegalStateException.class);

        ownership.released(e);
        assertThat(ownership.isEmpty()).isTrue();
        assertThatThrownBy(() -> ownership.lost(e)).as("a final state is final").isInstanceOf(IllegalStateException.class);
    }

    private static Lease lease(int partition) {
        return new Lease(partition, "s." + partition, new Fence("lock" + partition, "e:1"), System.nanoTime(),
                TimeUnit.SECONDS.toNanos(30));
    }
}
