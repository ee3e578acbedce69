// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ReassignmentTest {

    @Test
    void releases_what_is_no_longer_assigned_and_acquires_what_is_new() {
        Reassignment r = Reassignment.between(Set.of(0, 1, 2, 3), Set.of(2, 3, 4, 5));

        assertThat(r.toRelease()).containsExactly(0, 1);
        assertThat(r.toAcquire()).containsExactly(4, 5);
        assertThat(r.isEmpty()).isFalse();
    }

    @Test
    void nothing_to_do_when_ownership_matches_the_assignment() {
        assertThat(Reassignment.between(Set.of(3, 1), Set.of(1, 3)).isEmpty()).isTrue();
        assertThat(Reassignment.between(Set.of(), Set.of()).isEmpty()).isTrue();
    }

    @Test
    void an_idle_executor_acquires_everything_and_a_removed_one_releases_everything() {
        assertThat(Reassignment.between(Set.of(), Set.of(7, 2)).toAcquire()).containsExactly(2, 7);
        assertThat(Reassignment.between(Set.of(7, 2), Set.of()).toRelease()).containsExactly(2, 7);
    }
}
