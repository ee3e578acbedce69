// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;
import io.runnel.testkit.RedisClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The counting pipeline of {@link CountingPipelineFaults} under faults of the network and the
 * server: a worker cut off, Redis restarting (AOF {@code always}), SIGKILLs on a Redis
 * Cluster (the outbox path), and a cluster master killed for good.
 */
@Tag("redis")
@Tag("process")
class ExactlyOnceServerFaultTest extends CountingPipelineFaults {
    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();

    /**
     * On a 3-master Redis Cluster the counts go to partitions in other slots through each
     * partition's outbox: a kill may land between a commit and its forward, or mid-forward,
     * and the next owner forwards what is left, once.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_on_a_redis_cluster_repeated_sigkills_leave_one_count_per_order_in_order(String transport)
            throws Exception {
        assertOneCountPerOrderInOrder(run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.KILLS,
                clusterExtension.url()).counts());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_a_worker_cut_off_past_lock_expiry_twice_leaves_one_count_per_order(String transport)
            throws Exception {
        assertOneCountPerOrderInOrder(run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.CUT_OFF).counts());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_a_cluster_master_killed_for_good_with_commit_replicas_leaves_one_count_per_order(String transport)
            throws Exception {
        assertOneCountPerOrderInOrder(run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.MASTER_KILL).counts());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void exactly_once_redis_restarting_with_aof_always_leaves_one_count_per_order(String transport) throws Exception {
        assertOneCountPerOrderInOrder(run(transport, ProcessingGuarantee.EXACTLY_ONCE, Fault.RESTART).counts());
    }
}
