// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workers join one at a time up to three while events keep arriving, then leave one at a
 * time: every event is processed exactly once, in order per key, whatever moved where.
 */
@Tag("redis")
class RebalanceTest extends RedisBackedTest {
    private static final int KEYS = 24;
    private static final int PER_KEY = 60;

    /** One "process": its own App (and connections) with the same app name. */
    private Worker startWorker(TransportKind transport, String name, ProcessedLog log, int batch) {
        App app = apps.app(transport, name, b -> b.setting("default_partition_count", 8));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> {
            if (batch == 1) {
                for (Order o : events.records()) {
                    log.add(o);
                }
            } else {
                for (List<Order> b : events.take(batch, Duration.ofMillis(50)).records()) {
                    b.forEach(log::add);
                }
            }
        });
        return app.worker().start();
    }

    /**
     * One event at a time on every transport: events move between consumers, their pending
     * entries are handed over and acked under fences, which the Redis transports do with Lua
     * scripts. Batches of 11 ({@code take}) on memory only: batching is the engine's own.
     * See {@link TransportKind}.
     */
    static java.util.stream.Stream<Arguments> transportsAndBatchSizes() {
        return java.util.stream.Stream.concat(
                java.util.stream.Stream.of(TransportKind.values()).map(t -> Arguments.of(t, 1)),
                java.util.stream.Stream.of(Arguments.of(TransportKind.MEMORY, 11)));
    }

    @ParameterizedTest(name = "{0}, batch size {1}")
    @MethodSource("transportsAndBatchSizes")
    void workers_joining_and_leaving_never_lose_duplicate_or_reorder_events(TransportKind transport, int batch)
            throws Exception {
        String name = TestApps.uniqueName("rebal");
        ProcessedLog log = new ProcessedLog();
        App producerApp = apps.app(transport, name, b -> b.setting("default_partition_count", 8));
        Stream<Order> orders = producerApp.stream("orders", Order.class, Order::key);
        joinOneByOneThenLeave(() -> startWorker(transport, name, log, batch), orders, log, 8, KEYS, PER_KEY);
        for (int p = 0; p < 8; p++) {
            assertThat(producerApp.transport().pendingCount(orders.partitionKey(p), "proc")).isZero();
        }
    }

    /**
     * While {@code keys} × {@code perKey} orders are sent in small batches, workers join one
     * at a time up to three, each time once the previous change settled and events went on,
     * then leave one at a time down to one; then every order was processed exactly once, in
     * order per key. The workers are stopped at the end.
     */
    static void joinOneByOneThenLeave(Supplier<Worker> startWorker, Stream<Order> orders, ProcessedLog log,
                                      int partitions, int keys, int perKey) throws InterruptedException {
        List<Order> all = TestApps.orders(keys, perKey);
        AtomicInteger sent = new AtomicInteger();
        // Send in small batches throughout the membership changes.
        Thread producer = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < all.size(); i += keys) {
                orders.sendAll(all.subList(i, Math.min(all.size(), i + keys)));
                sent.addAndGet(keys);
                try {
                    Thread.sleep(15);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });

        List<Worker> workers = new ArrayList<>();
        for (int n = 1; n <= 3; n++) {
            workers.add(startWorker.get());
            awaitBalanced(workers, partitions);
            int before = log.count();
            await().atMost(Duration.ofSeconds(30)).until(() -> log.count() > before || sent.get() == all.size());
        }
        for (int n = 3; n > 1; n--) {
            Worker leaving = workers.remove(workers.size() - 1);
            leaving.stop();
            awaitBalanced(workers, partitions);
            int before = log.count();
            await().atMost(Duration.ofSeconds(30)).until(() -> log.count() > before || sent.get() == all.size());
        }
        producer.join();

        await().atMost(Duration.ofSeconds(60)).until(() -> log.count() >= all.size());
        workers.forEach(Worker::stop);
        log.assertExactlyOnceInOrder(keys, perKey);
    }

    @ParameterizedTest
    @TransportKind.Memory
    void extra_executors_beyond_the_partition_count_stay_idle_and_take_over_when_one_leaves(TransportKind transport) {
        String name = TestApps.uniqueName("idle");
        ProcessedLog log = new ProcessedLog();
        List<App> sameNameApps = new ArrayList<>();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            App app = apps.app(transport, name, b -> b.setting("default_partition_count", 2));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            app.processor(orders, "proc", events -> events.records().forEach(log::add));
            sameNameApps.add(app);
            workers.add(app.worker().start());
        }
        // Executors join in the background, so the start order is not the join order: wait
        // until all three are members, then find the one the assignment left out.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> sameNameApps.get(0).status().processor("proc").members().size() == 3);
        awaitBalanced(workers, 2);
        List<Worker> idle = workers.stream().filter(w -> w.ownedPartitions("proc").isEmpty()).toList();
        assertThat(idle).hasSize(1);

        Worker leaving = workers.stream().filter(w -> !idle.contains(w)).findFirst().orElseThrow();
        leaving.stop();
        List<Worker> rest = workers.stream().filter(w -> w != leaving).toList();

        awaitBalanced(rest, 2);
        assertThat(idle.get(0).ownedPartitions("proc")).hasSize(1);
        assertThat(rest).allSatisfy(w -> assertThat(w.ownedPartitions("proc")).hasSize(1));
    }

    static void awaitBalanced(List<Worker> workers, int partitions) {
        awaitBalancedFor(workers, partitions, "proc");
    }

    /** Every worker owns exactly what it is assigned, and together they own every partition once. */
    static void awaitBalancedFor(List<Worker> workers, int partitions, String processor) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<Integer> union = new HashSet<>();
            int total = 0;
            for (Worker w : workers) {
                Set<Integer> owned = w.ownedPartitions(processor);
                assertThat(owned).isEqualTo(w.assignedPartitions(processor));
                union.addAll(owned);
                total += owned.size();
            }
            assertThat(total).isEqualTo(partitions);
            assertThat(union).hasSize(partitions);
            // A worker whose executor has not joined yet also owns what it is assigned
            // (nothing); with no more workers than partitions, every one must have a share.
            long sharing = workers.stream().filter(w -> !w.assignedPartitions(processor).isEmpty()).count();
            assertThat(sharing).isEqualTo(Math.min(workers.size(), partitions));
        });
    }

    /**
     * A newcomer waits its {@code join_delay} before it joins, while the members keep
     * processing every partition; the partitions it is then given pause only for the hand-over.
     * (They used to wait the whole delay unowned: the newcomer joined, the members released at
     * once, and the newcomer acquired only after its delay.)
     */
    @ParameterizedTest
    @TransportKind.Memory
    void a_newcomer_waits_its_join_delay_before_joining_while_the_members_keep_their_partitions(TransportKind transport) {
        String name = TestApps.uniqueName("joindelay");
        Worker first = startIdleWorker(transport, name, Duration.ZERO);
        await().atMost(Duration.ofSeconds(30)).until(() -> first.ownedPartitions("proc").size() == 8);

        Duration joinDelay = Duration.ofSeconds(2);
        long start = System.nanoTime();
        Worker newcomer = startIdleWorker(transport, name, joinDelay);
        long[] unownedSince = {-1};
        long[] longestUnowned = {0};
        // Sampled every millisecond until the newcomer holds its share: how long at most were
        // fewer than all 8 partitions owned?
        await().pollInterval(Duration.ofMillis(1)).atMost(Duration.ofSeconds(30)).until(() -> {
            long now = System.nanoTime();
            int owned = first.ownedPartitions("proc").size() + newcomer.ownedPartitions("proc").size();
            if (owned < 8 && unownedSince[0] < 0) {
                unownedSince[0] = now;
            } else if (owned == 8 && unownedSince[0] >= 0) {
                longestUnowned[0] = Math.max(longestUnowned[0], now - unownedSince[0]);
                unownedSince[0] = -1;
            }
            return newcomer.ownedPartitions("proc").size() == 4 && first.ownedPartitions("proc").size() == 4;
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the newcomer waited its join delay")
                .isGreaterThanOrEqualTo(joinDelay);
        assertThat(Duration.ofNanos(longestUnowned[0])).as("longest time some partition had no owner")
                .isLessThan(joinDelay.dividedBy(2));
    }

    private Worker startIdleWorker(TransportKind transport, String name, Duration joinDelay) {
        App app = apps.app(transport, name, b -> b.setting("default_partition_count", 8)
                .setting("default_join_delay", joinDelay.toMillis() + "ms"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
        return app.worker().start();
    }
}
