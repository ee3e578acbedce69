// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The counting pipeline of {@link CountingPipelineFaults} under faults of the network and of a
 * single server: a worker cut off past lock_expiry, and Redis restarting (AOF {@code always}).
 */
@Tag("redis")
@Tag("process")
class ExactlyOnceServerFaultTest extends CountingPipelineFaults {

    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_a_worker_cut_off_past_lock_expiry_twice_leaves_one_count_per_order(String transport)
            throws Exception {
        assertOneCountPerOrderInOrder(run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.CUT_OFF).counts());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_redis_restarting_with_aof_always_leaves_one_count_per_order(String transport) throws Exception {
        assertOneCountPerOrderInOrder(run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.RESTART).counts());
    }
}
