// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.engine.memory.MemoryHandle;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link FrozenWorkerTest} on the in-memory transport, whose workers share one JVM: a
 * worker is frozen by holding every command and reply of its transport handle (as a
 * stopped process or a cut network would) for longer than lock_expiry, while its consumer
 * threads keep running on what they buffered. One clock serves both workers, so the check
 * is exact: the frozen worker hands out nothing of a partition once the other worker has
 * acquired it, and nothing is lost or processed out of order.
 */
@Tag("redis")
class FrozenMemoryWorkerTest extends RedisBackedTest {
    private static final int KEYS = 16;
    private static final int PER_KEY = 60;
    /** Slow enough that what a partition buffered outlasts the lock: without lease checks it would be handed out late. */
    private static final long WORK_MILLIS = 60;

    /** One hand-out: when, on which consumer thread (one per ownership), of which partition. */
    private record Handout(long nanos, long thread, int partition) {
    }

    @Test
    void a_thawed_worker_hands_out_nothing_of_a_partition_the_other_worker_acquired() {
        String name = TestApps.uniqueName("memfrozen");
        ProcessedLog log = new ProcessedLog();
        List<Handout> frozenHandouts = new CopyOnWriteArrayList<>();
        Map<Integer, List<Long>> acquiredByOther = new ConcurrentHashMap<>();
        App frozen = apps.app(TransportKind.MEMORY, name, b -> b.setting("default_lock_expiry", "2s")
                .setting("default_grace_period", "1s").setting("default_prefetch_count", 200));
        Stream<Order> orders = frozen.stream("orders", Order.class, Order::key);
        frozen.processor(orders, "proc", events -> {
            for (Order order : events.records()) {
                frozenHandouts.add(new Handout(System.nanoTime(), Thread.currentThread().threadId(), events.partition()));
                log.add(order);
                Thread.sleep(WORK_MILLIS);
            }
        });
        App other = apps.app(TransportKind.MEMORY, name, b -> b.setting("default_lock_expiry", "2s")
                .setting("default_grace_period", "1s").setting("default_prefetch_count", 200));
        other.processor(other.stream("orders", Order.class, Order::key), "proc", o -> o.rebalanceListener(
                new RebalanceListener() {
                    @Override
                    public void onPartitionsAssigned(String processor, Set<Integer> partitions) {
                        long now = System.nanoTime();
                        partitions.forEach(p -> acquiredByOther.computeIfAbsent(p, x -> new CopyOnWriteArrayList<>()).add(now));
                    }
                }), events -> {
            for (Order order : events.records()) {
                log.add(order);
                Thread.sleep(WORK_MILLIS);
            }
        });
        Worker frozenWorker = frozen.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(frozenWorker), 4, "proc");
        Worker otherWorker = other.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(frozenWorker, otherWorker), 4, "proc");
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
        // Past the first reads, its buffers hold at least 100 events each: 6 s of work.
        await().atMost(Duration.ofSeconds(30)).until(() -> frozenHandouts.size() >= 20);

        long frozenAt = System.nanoTime();
        MemoryHandle.freeze(frozen.transport());
        await().atMost(Duration.ofSeconds(60)).until(() -> otherWorker.ownedPartitions("proc").size() == 4);
        int atTakeover = log.count();
        await().atMost(Duration.ofSeconds(60)).until(() -> log.count() > atTakeover + 50);
        MemoryHandle.thaw(frozen.transport());

        await().atMost(Duration.ofSeconds(120)).until(() -> log.count() >= KEYS * PER_KEY
                && distinct(log) == KEYS * PER_KEY);
        Set<Long> threadsBeforeFreeze = ConcurrentHashMap.newKeySet();
        frozenHandouts.stream().filter(h -> h.nanos() < frozenAt).forEach(h -> threadsBeforeFreeze.add(h.thread()));
        assertThat(threadsBeforeFreeze).isNotEmpty();
        assertThat(frozenHandouts).as("hand-outs under a lease from before the freeze after the other worker took the partition")
                .filteredOn(h -> threadsBeforeFreeze.contains(h.thread()))
                .filteredOn(h -> acquiredByOther.getOrDefault(h.partition(), List.of()).stream()
                        .anyMatch(at -> at > frozenAt && h.nanos() > at))
                .isEmpty();
        log.assertAtLeastOnceInOrder(KEYS, PER_KEY);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int p = 0; p < 4; p++) {
                assertThat(other.transport().pendingCount(orders.partitionKey(p), "proc")).isZero();
            }
        });
        frozenWorker.stop();
        otherWorker.stop();
    }

    private static int distinct(ProcessedLog log) {
        return log.snapshot().values().stream().mapToInt(seqs -> (int) seqs.stream().distinct().count()).sum();
    }
}
