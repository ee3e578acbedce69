package io.runnel.engine;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker stopping gracefully while its processor function is in a long iteration keeps
 * its partitions (the heartbeat goes on extending their locks) until it has released them:
 * no other worker acquires one before.
 */
class GracefulStopTest extends RedisBackedTest {

    @Test
    void no_other_worker_acquires_a_partition_before_the_stopping_worker_released_it() throws Exception {
        String name = TestApps.uniqueName("drain");
        // 1.5 s of work: most of the 2 s grace period, and longer than a heartbeat interval.
        Duration work = Duration.ofMillis(1500);
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean finished = new AtomicBoolean();
        Map<Integer, Long> revokedByFirst = new ConcurrentHashMap<>();
        Map<Integer, Long> assignedToSecond = new ConcurrentHashMap<>();
        App first = apps.app(name, b -> { });
        Stream<Order> orders = first.stream("orders", Order.class, Order::key);
        first.processor(orders, "proc", o -> o.rebalanceListener(new RebalanceListener() {
            @Override
            public void onPartitionsRevoked(String processor, Set<Integer> partitions) {
                partitions.forEach(p -> revokedByFirst.put(p, System.nanoTime()));
            }
        }), events -> {
            for (Order order : events.records()) {
                if (order.key().startsWith("slow")) {
                    started.countDown();
                    Thread.sleep(work);
                    finished.set(true);
                }
            }
        });
        App second = apps.app(name, b -> { });
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
        assignedToSecond.clear();
        String slow = IntStream.range(0, 1000).mapToObj(i -> "slow-" + i)
                .filter(k -> stopping.ownedPartitions("proc").contains(orders.partitionOf(new Order(k, 0))))
                .findFirst().orElseThrow();
        int partition = orders.partitionOf(new Order(slow, 0));

        orders.send(new Order(slow, 0));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
        stopping.stop();

        assertThat(finished).as("the iteration finished within the grace period").isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> assignedToSecond.containsKey(partition));
        assertThat(revokedByFirst).containsKey(partition);
        assertThat(assignedToSecond.get(partition)).as("acquired by the other worker after the release")
                .isGreaterThan(revokedByFirst.get(partition));
    }
}
