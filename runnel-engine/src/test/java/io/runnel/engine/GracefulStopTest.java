// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker stopping gracefully keeps its partitions until it has released them, however
 * long the release takes: the heartbeat goes on extending their locks, so no other worker
 * acquires one before.
 */
@Tag("redis")
class GracefulStopTest extends RedisBackedTest {
    private static final Duration LOCK_EXPIRY = Duration.ofSeconds(2);

    @Test
    void no_other_worker_acquires_a_partition_before_the_stopping_worker_released_it() {
        String name = TestApps.uniqueName("drain");
        Map<Integer, Long> revokedByFirst = new ConcurrentHashMap<>();
        Map<Integer, Long> assignedToSecond = new ConcurrentHashMap<>();
        App first = app(name);
        Stream<Order> orders = first.stream("orders", Order.class, Order::key);
        // Flushing per-partition state on revocation takes twice lock_expiry: without
        // heartbeats during the stop, the locks would lapse and the other worker move in.
        first.processor(orders, "proc", o -> o.rebalanceListener(new RebalanceListener() {
            @Override
            public void onPartitionsRevoked(String processor, Set<Integer> partitions) {
                try {
                    Thread.sleep(LOCK_EXPIRY.multipliedBy(2)); // the slow flush, not a synchronisation
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                partitions.forEach(p -> revokedByFirst.put(p, System.nanoTime()));
            }
        }), events -> events.records().forEach(o -> { }));
        App second = app(name);
        second.processor(second.stream("orders", Order.class, Order::key), "proc", o -> o.rebalanceListener(
                new RebalanceListener() {
                    @Override
                    public void onPartitionsAssigned(String processor, Set<Integer> partitions) {
                        partitions.forEach(p -> assignedToSecond.putIfAbsent(p, System.nanoTime()));
                    }
                }), events -> events.records().forEach(o -> { }));
        Worker stopping = first.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(stopping), 4, "proc");
        Worker staying = second.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(stopping, staying), 4, "proc");
        revokedByFirst.clear();
        assignedToSecond.clear();
        Set<Integer> leaving = Set.copyOf(stopping.ownedPartitions("proc"));

        stopping.stop();

        await().atMost(Duration.ofSeconds(30)).until(() -> assignedToSecond.keySet().containsAll(leaving));
        for (int p : leaving) {
            assertThat(revokedByFirst).containsKey(p);
            assertThat(assignedToSecond.get(p)).as("partition %s acquired by the other worker after its release", p)
                    .isGreaterThan(revokedByFirst.get(p));
        }
    }

    private App app(String name) {
        return apps.app(name, b -> b.setting("default_lock_expiry", LOCK_EXPIRY).setting("default_grace_period", "1s"));
    }
}
