// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker that dies mid-stream without a word (as if killed) on every transport: the
 * survivor reaps it once its heartbeat expires, takes its partitions, re-reads what it was
 * delivered but never acknowledged, and nothing is lost. (ProcessCrashTest does the same
 * with a real process and a real SIGKILL.)
 */
@Tag("redis")
class RecoveryTest extends RedisBackedTest {
    private static final int KEYS = 16;
    private static final int PER_KEY = 40;

    private Worker start(TransportKind transport, String name, ProcessedLog log) {
        App app = apps.app(transport, name, b -> b.setting("default_lock_expiry", "2s").setting("default_grace_period", "1s"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> {
            for (Order order : events.records()) {
                Thread.sleep(5);
                log.add(order);
            }
        });
        return app.worker().start();
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_worker_that_dies_silently_mid_stream_loses_nothing(TransportKind transport) {
        String name = TestApps.uniqueName("recover");
        ProcessedLog log = new ProcessedLog();
        Worker doomed = start(transport, name, log);
        Worker survivor = start(transport, name, log);
        RebalanceTest.awaitBalanced(List.of(doomed, survivor), 4);
        App producer = apps.app(transport, name, b -> { });
        Stream<Order> orders = producer.stream("orders", Order.class, Order::key);
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() >= 60);

        doomed.abandon();
        assertThat(log.count()).as("died mid-stream").isLessThan(KEYS * PER_KEY);

        await().atMost(Duration.ofSeconds(60)).until(() -> survivor.ownedPartitions("proc").size() == 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> log.snapshot().values().stream()
                .mapToLong(seqs -> seqs.stream().distinct().count()).sum() == KEYS * PER_KEY);
        log.assertAtLeastOnceInOrder(KEYS, PER_KEY);
        // Redelivered: at most what the dead worker had buffered or in hand, and acks it never sent.
        assertThat(log.duplicates()).isLessThanOrEqualTo(2 * (2 * 8 + 1) + 2 * 8);
        List<String> reasons = producer.transport().range(Keys.control(name, "orders", "proc"), "-", "+", 100)
                .stream().map(StreamEntry::fields).map(f -> new String(f.get("reason"), StandardCharsets.UTF_8)).toList();
        assertThat(reasons).contains("dead");
        for (int p = 0; p < 4; p++) {
            int partition = p;
            await().atMost(Duration.ofSeconds(10)).until(() -> producer.transport().pendingCount(orders.partitionKey(partition), "proc") == 0);
        }
    }

    /**
     * A dead worker's partitions are taken within {@code lock_expiry} and a second of its
     * death: its heartbeat expires at most {@code lock_expiry} after its last beat, and the
     * survivor looks at the heartbeats every 0.25–0.5 s. The worker dies just after a beat,
     * the worst case. (The survivor used to reap only at random intervals of up to half of
     * {@code lock_expiry} plus a second, so it often took longer.)
     */
    @ParameterizedTest
    @TransportKind.Memory
    void a_dead_workers_partitions_are_taken_within_lock_expiry_and_a_second(TransportKind transport) {
        Duration lockExpiry = Duration.ofSeconds(8);
        String name = TestApps.uniqueName("reap");
        List<Worker> workers = new java.util.ArrayList<>();
        App observer = null;
        for (int i = 0; i < 2; i++) {
            App app = apps.app(transport, name, b -> b.setting("default_lock_expiry", lockExpiry.toMillis() + "ms")
                    .setting("default_grace_period", "1s"));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
            workers.add(app.worker().start());
            observer = app;
        }
        Worker doomed = workers.get(0);
        Worker survivor = workers.get(1);
        RebalanceTest.awaitBalanced(workers, 4);
        App status = observer;
        List<Integer> doomedPartitions = doomed.ownedPartitions("proc").stream().sorted().toList();
        // Just after one of its heartbeats: its heartbeat then lives the longest.
        await().pollInterval(Duration.ofMillis(5)).atMost(Duration.ofSeconds(30)).until(() ->
                status.status().processor("proc").members().stream()
                        .filter(m -> m.partitions().stream().sorted().toList().equals(doomedPartitions))
                        .anyMatch(m -> m.heartbeatAge().map(age -> age.toMillis() < 50).orElse(false)));
        long died = System.nanoTime();
        doomed.abandon();

        await().pollInterval(Duration.ofMillis(10)).atMost(lockExpiry.multipliedBy(3))
                .until(() -> survivor.ownedPartitions("proc").size() == 4);
        Duration recovery = Duration.ofNanos(System.nanoTime() - died);
        assertThat(recovery).as("death to every partition owned by the survivor")
                .isGreaterThan(lockExpiry.minusSeconds(1))
                .isLessThanOrEqualTo(lockExpiry.plusSeconds(1));
    }
}
