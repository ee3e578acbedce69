// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static io.runnel.engine.CountingWorkerMain.Count;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The counting pipeline of {@link CountingPipelineFaults} under worker faults: SIGKILLs and a
 * freeze past lock_expiry. Under {@code at_least_once} the same kills send duplicates, which
 * shows the checks can fail.
 */
@Tag("redis")
@Tag("process")
class ExactlyOnceCrashTest extends CountingPipelineFaults {

    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_repeated_sigkills_leave_one_count_per_order_in_order_and_state_that_agrees(String transport)
            throws Exception {
        assertOneCountPerOrderInOrder(run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.KILLS).counts());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_a_worker_frozen_past_lock_expiry_commits_nothing_when_it_resumes(String transport)
            throws Exception {
        Outcome outcome = run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.FREEZE);
        assertOneCountPerOrderInOrder(outcome.counts());
        assertThat(outcome.childLog()).as("the resumed worker dropped, or had refused, what it had not committed")
                .containsAnyOf("not committing", "refused a commit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"lettuce"})
    void at_least_once_the_same_kills_send_duplicates(String transport) throws Exception {
        Map<String, List<Count>> counts = run(transport, ProcessingGuarantee.AT_LEAST_ONCE, Fault.KILLS).counts();
        int sent = counts.values().stream().mapToInt(List::size).sum();
        assertThat(sent).as("counts sent for %s orders", KEYS * PER_KEY).isGreaterThan(KEYS * PER_KEY);
    }
}
