// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;
import io.runnel.testkit.RedisClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The counting pipeline of {@link CountingPipelineFaults} on a Redis Cluster: SIGKILLs (the
 * outbox path) on both clients, and a master killed for good under commit replicas. The
 * master kill runs on Lettuce only: what differs per client there, the commit's WAIT on the
 * slot's master, both cluster conformance suites check (a durable commit), and
 * {@code ClusterFailoverTest} covers each client's failover.
 */
@Tag("redis")
@Tag("process")
class ExactlyOnceClusterFaultTest extends CountingPipelineFaults {
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

    @Test
    void exactly_once_a_cluster_master_killed_for_good_with_commit_replicas_leaves_one_count_per_order()
            throws Exception {
        assertOneCountPerOrderInOrder(run("lettuce", ProcessingGuarantee.EXACTLY_ONCE, Fault.MASTER_KILL).counts());
    }
}
