// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The cluster fixture: it forms, serves every slot, and fails over when a master is killed. */
@Tag("redis")
class RedisClusterTest {
    private static RedisCluster cluster;

    @BeforeAll
    static void start() {
        cluster = RedisCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void three_masters_with_a_replica_each_serve_every_slot_and_a_killed_master_is_replaced_by_its_replica() {
        assertThat(cluster.nodes()).hasSize(6);
        assertThat(cluster.masters()).hasSize(3);
        for (RedisCluster.Node master : cluster.masters()) {
            List<?> role = (List<?>) master.call("ROLE");
            assertThat((List<?>) role.get(2)).as("replicas of %s", master).hasSize(1);
        }
        assertThat(cluster.nodes().stream().filter(n -> ((List<?>) n.call("ROLE")).get(0).equals("slave"))).hasSize(3);
        assertThat(cluster.url()).startsWith("redis-cluster://127.0.0.1:").contains(",");

        RedisCluster.Node master = cluster.masterOf("fixture-key");
        master.call("SET", "fixture-key", "kept");
        assertThat(master.call("WAIT", "1", "5000")).as("replicas acknowledging the write").isEqualTo(1L);
        cluster.kill(master);
        assertThat(master.alive()).isFalse();

        cluster.awaitHealthy();
        RedisCluster.Node promoted = cluster.masterOf("fixture-key");
        assertThat(promoted).isNotSameAs(master);
        assertThat(promoted.call("GET", "fixture-key")).isEqualTo("kept");
        assertThat(cluster.masters()).hasSize(3);
    }
}
