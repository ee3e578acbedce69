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
}
