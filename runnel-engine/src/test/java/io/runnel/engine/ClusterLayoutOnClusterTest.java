// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.testkit.RedisCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster key layout on a real 3-master cluster: Redis agrees on every slot, and partitions spread evenly. */
@Tag("redis")
class ClusterLayoutOnClusterTest {
    private static RedisCluster cluster;

    @BeforeAll
    static void start() {
        cluster = RedisCluster.start(3, 0);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void redis_puts_each_partition_key_in_its_computed_slot_and_each_master_gets_a_third_of_the_partitions() {
        RedisCluster.Node any = cluster.nodes().get(0);
        for (int partitions : new int[] {3, 16, 64}) {
            Map<Integer, Integer> perMaster = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                String key = "__strm:app.orders." + p + ClusterLayout.partitionTag("app", "orders", p, partitions);
                int slot = ClusterLayout.partitionSlot("app", "orders", p, partitions);
                assertThat(any.call("CLUSTER", "KEYSLOT", key)).as(key).isEqualTo((long) slot);
                perMaster.merge(cluster.masterOfSlot(slot).port(), 1, Integer::sum);
            }
            assertThat(perMaster).as("%d partitions over 3 masters", partitions).hasSize(3);
            assertThat(perMaster.values()).allSatisfy(n -> assertThat(n).isBetween(partitions / 3, partitions / 3 + 1));
        }
    }
}
