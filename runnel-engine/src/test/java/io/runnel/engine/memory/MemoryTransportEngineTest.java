// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.engine.App;
import io.runnel.testkit.FastCoordination;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine on the in-memory transport: what it is for, testing apps, rebalances included,
 * in one JVM without Redis. Several apps opened with one {@code memory://} URL play the part
 * of several processes sharing a Redis.
 */
class MemoryTransportEngineTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String PROCESSOR = "printer";

    record Order(String key, int seq) {
    }

    private final String url = "memory://engine-" + UUID.randomUUID();
    private final List<App> apps = new ArrayList<>();

    @AfterEach
    void closeApps() {
        apps.forEach(App::close);
    }

    @Test
    void eventsSentByOneAppAreProcessedByAnotherOnceEachInOrder() {
        ConcurrentLinkedQueue<Order> processed = new ConcurrentLinkedQueue<>();
        Stream<Order> sender = orders(app());
        App consumer = app();
        consumer.processor(orders(consumer), PROCESSOR, events -> events.records().forEach(processed::add));
        Worker worker = consumer.worker().start();

        List<Order> sent = new ArrayList<>();
        for (int seq = 0; seq < 50; seq++) {
            for (int key = 0; key < 10; key++) {
                sent.add(new Order("key-" + key, seq));
            }
        }
        sender.sendAll(sent);

        await().atMost(PATIENCE).until(() -> processed.size() >= sent.size());
        worker.stop();
        assertThat(processed).containsExactlyInAnyOrderElementsOf(sent);
        Map<String, List<Integer>> seqByKey = new HashMap<>();
        processed.forEach(o -> seqByKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(o.seq()));
        assertThat(seqByKey.values()).allSatisfy(seqs -> assertThat(seqs).isSorted());
        try (MemoryTransport check = (MemoryTransport) new MemoryTransportProvider().open(ConnectionUrl.parse(url))) {
            for (int p = 0; p < sender.partitionCount(); p++) {
                assertThat(check.pendingCount(sender.partitionKey(p), PROCESSOR)).isZero();
            }
        }
    }

    @Test
    void partitionsMoveBetweenWorkersAsTheyJoinAndLeave() {
        Worker first = worker();
        await().atMost(PATIENCE).until(() -> first.ownedPartitions(PROCESSOR).size() == 4);

        Worker second = worker();
        await().atMost(PATIENCE).until(() -> first.ownedPartitions(PROCESSOR).size() == 2
                && second.ownedPartitions(PROCESSOR).size() == 2);
        Set<Integer> all = new HashSet<>(first.ownedPartitions(PROCESSOR));
        all.addAll(second.ownedPartitions(PROCESSOR));
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3);

        first.stop();
        await().atMost(PATIENCE).until(() -> second.ownedPartitions(PROCESSOR).size() == 4);
    }

    private Worker worker() {
        App app = app();
        app.processor(orders(app), PROCESSOR, events -> events.records().forEach(order -> { }));
        return app.worker().start();
    }

    private static Stream<Order> orders(App app) {
        return app.stream("orders", Order.class, Order::key);
    }

    /** An app on this test's store, with timings fit for tests and no environment leaking in. */
    private App app() {
        App.Builder builder = App.builder("shop")
                .environment(Map.of())
                .redisUrl(url)
                .setting("default_partition_count", 4);
        FastCoordination.settings().forEach(builder::setting);
        App app = builder.build();
        apps.add(app);
        return app;
    }
}
