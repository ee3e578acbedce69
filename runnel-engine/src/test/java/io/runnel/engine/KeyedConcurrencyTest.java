// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Misconfigured;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Key-ordered concurrency inside a partition ({@code max_in_flight} above 1 with a per-record
 * handler): events of different keys run at once, each key's events one after another in
 * stream order, and failures hold back only their key, on every transport.
 */
@Tag("redis")
class KeyedConcurrencyTest extends RedisBackedTest {

    /** What the handler saw: per-key order, no key run twice at once, and how many ran at once. */
    private static final class Watch {
        final ProcessedLog log = new ProcessedLog();
        final Set<String> running = ConcurrentHashMap.newKeySet();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        final List<String> overlaps = new java.util.concurrent.CopyOnWriteArrayList<>();

        void begin(Order order) {
            if (!running.add(order.key())) {
                overlaps.add(order.key() + "/" + order.seq());
            }
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        }

        void end(Order order) {
            inFlight.decrementAndGet();
            running.remove(order.key());
        }
    }

    @FunctionalInterface
    private interface Body {
        void run(Order order) throws Exception;
    }

    private App app(TransportKind transport, int partitions, Consumer<ProcessorOptions> options, Watch watch,
                    Body body) {
        App app = apps.app(transport, TestApps.uniqueName("keyed"), b -> b.setting("default_partition_count", partitions));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", options, ProcessorFunction.<Order>eachRecord(order -> {
            watch.begin(order);
            try {
                body.run(order);
                watch.log.add(order);
            } finally {
                watch.end(order);
            }
        }));
        return app;
    }

    @SuppressWarnings("unchecked")
    private static Stream<Order> orders(App app) {
        return (Stream<Order>) app.streamNamed("orders");
    }

    @ParameterizedTest
    @TransportKind.Every
    void per_key_order_holds_with_64_in_flight_over_1000_keys_and_a_random_wait(TransportKind transport) {
        Watch watch = new Watch();
        App app = app(transport, 4, o -> o.maxInFlight(64), watch,
                order -> Thread.sleep(ThreadLocalRandom.current().nextInt(6)));
        int keys = 1000;
        int perKey = 5;
        orders(app).sendAll(TestApps.orders(keys, perKey));

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> watch.log.count() == keys * perKey);
        worker.stop();

        watch.log.assertExactlyOnceInOrder(keys, perKey);
        assertThat(watch.overlaps).as("events of one key run at once").isEmpty();
        assertThat(watch.mostInFlight.get()).as("most deliveries at once").isGreaterThan(4).isLessThanOrEqualTo(4 * 64);
        for (int p = 0; p < 4; p++) {
            assertThat(app.transport().pendingCount(orders(app).partitionKey(p), "proc")).isZero();
        }
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_retry_in_place_holds_only_its_key(TransportKind transport) {
        Watch watch = new Watch();
        int others = 20;
        CountDownLatch othersDone = new CountDownLatch(others * 3);
        AtomicInteger slowTries = new AtomicInteger();
        App app = app(transport, 1, o -> o.maxInFlight(8).retry(3, Duration.ofMillis(10), Duration.ofMillis(10), 1, 0),
                watch, order -> {
                    if (order.key().equals("slow") && order.seq() == 0) {
                        if (slowTries.incrementAndGet() == 1) {
                            throw new IllegalStateException("flaky");
                        }
                        // The second try waits for every other key: a retry that held the partition would never get here.
                        assertThat(othersDone.await(30, TimeUnit.SECONDS)).isTrue();
                    }
                    if (!order.key().equals("slow")) {
                        othersDone.countDown();
                    }
                });
        List<Order> sent = new ArrayList<>();
        for (int seq = 0; seq < 3; seq++) {
            sent.add(new Order("slow", seq));
            for (int k = 0; k < others; k++) {
                sent.add(new Order("other-" + k, seq));
            }
        }
        orders(app).sendAll(sent);

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.log.count() == sent.size());
        worker.stop();

        watch.log.assertExactlyOnceInOrder(others + 1, 3);
        assertThat(slowTries.get()).isEqualTo(2);
        assertThat(watch.overlaps).isEmpty();
    }

    @ParameterizedTest
    @TransportKind.Every
    void park_parks_the_failing_key_and_the_other_keys_go_on(TransportKind transport) {
        Watch watch = new Watch();
        App app = app(transport, 1, o -> o.maxInFlight(8).exceptionPolicy(ExceptionPolicy.PARK), watch, order -> {
            if (order.key().equals("bad") && order.seq() == 1) {
                throw new IllegalStateException("poison");
            }
        });
        List<Order> sent = new ArrayList<>();
        for (int seq = 0; seq < 6; seq++) {
            sent.add(new Order("bad", seq));
            for (int k = 0; k < 10; k++) {
                sent.add(new Order("good-" + k, seq));
            }
        }
        orders(app).sendAll(sent);

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.log.count() == 1 + 10 * 6
                && app.transport().pendingCount(orders(app).partitionKey(0), "proc") == 0);
        worker.stop();

        Map<String, List<Integer>> seen = watch.log.snapshot();
        assertThat(seen.get("bad")).containsExactly(0);
        for (int k = 0; k < 10; k++) {
            assertThat(seen.get("good-" + k)).containsExactly(0, 1, 2, 3, 4, 5);
        }
        ParkingKeys keys = app.processor("proc").parkingKeys(0);
        List<StreamEntry> parked = app.transport().range(keys.parked(), "-", "+", 100);
        assertThat(parked).extracting(e -> new String(e.fields().get("parked_key")))
                .containsOnly("bad").hasSize(5);
        assertThat(parked).extracting(e -> orders(app).codec().decode(e.fields()).seq())
                .as("parked in order").containsExactly(1, 2, 3, 4, 5);
    }

    @ParameterizedTest
    @TransportKind.Every
    void quarantine_lets_the_other_keys_in_flight_finish_and_loses_nothing(TransportKind transport) {
        Watch watch = new Watch();
        CountDownLatch othersStarted = new CountDownLatch(5);
        CountDownLatch release = new CountDownLatch(1);
        App app = app(transport, 1, o -> o.maxInFlight(8).exceptionPolicy(ExceptionPolicy.QUARANTINE), watch, order -> {
            if (order.key().equals("bad")) {
                // Fails while the other keys' deliveries are in flight.
                assertThat(othersStarted.await(30, TimeUnit.SECONDS)).isTrue();
                throw new IllegalStateException("poison");
            }
            if (order.seq() == 0) {
                othersStarted.countDown();
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            }
        });
        List<Order> sent = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            sent.add(new Order("good-" + k, 0));
        }
        sent.add(new Order("bad", 0));
        for (int k = 0; k < 5; k++) {
            sent.add(new Order("good-" + k, 1));
        }
        orders(app).sendAll(sent);

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.poisonedPartitions("proc").contains(0));
        release.countDown();
        // The deliveries in flight finish and are acknowledged; nothing behind them is handed out.
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.log.count() == 5
                && app.transport().pendingCount(orders(app).partitionKey(0), "proc") == 6);
        worker.stop();
        assertThat(watch.log.snapshot().values()).allSatisfy(seqs -> assertThat(seqs).containsExactly(0));
        assertThat(app.transport().length(orders(app).partitionKey(0))).isEqualTo(11);
    }

    /**
     * HALT with other keys' deliveries in flight: the worker stops with the failure; those
     * deliveries are interrupted after the grace period and stay pending with the failed
     * event; nothing is lost: every event is processed and acknowledged, pending, or never read.
     */
    @ParameterizedTest
    @TransportKind.Every
    void halt_stops_the_worker_and_what_did_not_complete_stays_pending(TransportKind transport) throws Exception {
        Watch watch = new Watch();
        CountDownLatch othersIn = new CountDownLatch(3);
        App app = app(transport, 1, o -> o.maxInFlight(8).exceptionPolicy(ExceptionPolicy.HALT), watch, order -> {
            if (order.key().equals("bad")) {
                assertThat(othersIn.await(30, TimeUnit.SECONDS)).isTrue();
                throw new IllegalStateException("poison");
            }
            if (order.seq() == 1) {
                othersIn.countDown();
                new CountDownLatch(1).await(); // in flight until interrupted
            }
        });
        List<Order> sent = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            sent.add(new Order("good-" + k, 0));
            sent.add(new Order("good-" + k, 1));
        }
        sent.add(new Order("bad", 0));
        orders(app).sendAll(sent);

        Worker worker = app.worker().start();
        assertThat(worker.awaitStopped(Duration.ofSeconds(30))).isTrue();
        assertThatThrownBy(worker::await).hasMessage("poison");
        String key = orders(app).partitionKey(0);
        assertThat(watch.log.count()).as("each good key's first event").isEqualTo(3);
        assertThat(app.transport().pendingCount(key, "proc")).as("the three interrupted and the failed one").isEqualTo(4);
        assertThat(app.transport().groupInfo(key, "proc").orElseThrow().lag()).hasValue(0);
    }

    @ParameterizedTest
    @TransportKind.Every
    void ignore_with_dead_letters_acts_per_delivery_and_the_key_goes_on(TransportKind transport) {
        Watch watch = new Watch();
        App app = app(transport, 1, o -> o.maxInFlight(8).exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(), watch,
                order -> {
                    if (order.key().equals("bad") && order.seq() == 1) {
                        throw new IllegalStateException("poison");
                    }
                });
        List<Order> sent = new ArrayList<>();
        for (int seq = 0; seq < 4; seq++) {
            sent.add(new Order("bad", seq));
            for (int k = 0; k < 5; k++) {
                sent.add(new Order("good-" + k, seq));
            }
        }
        orders(app).sendAll(sent);

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.log.count() == 3 + 5 * 4
                && app.transport().pendingCount(orders(app).partitionKey(0), "proc") == 0);
        worker.stop();
        assertThat(watch.log.snapshot().get("bad")).containsExactly(0, 2, 3);
        List<StreamEntry> dead = app.transport().range(orders(app).deadLetters().partitionKey(0), "-", "+", 10);
        assertThat(dead).hasSize(1);
        assertThat(orders(app).deadLetters().codec().decode(dead.get(0).fields()).seq()).isEqualTo(1);
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_stuck_delivery_holds_only_its_key_until_the_policy_acts(TransportKind transport) {
        Watch watch = new Watch();
        CountDownLatch othersDone = new CountDownLatch(30);
        AtomicInteger stuckTries = new AtomicInteger();
        App app = app(transport, 1, o -> o.maxInFlight(4).exceptionPolicy(ExceptionPolicy.IGNORE)
                .maxProcessingTime(Duration.ofMillis(500)), watch, order -> {
                    if (order.key().equals("stuck") && order.seq() == 0 && stuckTries.incrementAndGet() == 1) {
                        // Waits past max_processing_time: the other keys finish meanwhile.
                        new CountDownLatch(1).await();
                    }
                    if (!order.key().equals("stuck")) {
                        othersDone.countDown();
                    }
                });
        List<Order> sent = new ArrayList<>();
        for (int seq = 0; seq < 3; seq++) {
            sent.add(new Order("stuck", seq));
            for (int k = 0; k < 10; k++) {
                sent.add(new Order("other-" + k, seq));
            }
        }
        orders(app).sendAll(sent);

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> othersDone.getCount() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.log.count() == 30 + 2
                && app.transport().pendingCount(orders(app).partitionKey(0), "proc") == 0);
        worker.stop();
        assertThat(watch.log.snapshot().get("stuck")).as("the timed-out event is ignored").containsExactly(1, 2);
        assertThat(app.metrics().meter("runnel." + app.name() + ".proc.failed").getCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @TransportKind.Redis
    void a_hot_key_keeps_what_is_read_bounded_and_the_other_keys_flowing(TransportKind transport) {
        Watch watch = new Watch();
        int prefetch = 20;
        int maxInFlight = 8;
        App app = app(transport, 1, o -> o.maxInFlight(maxInFlight).prefetchCount(prefetch), watch, order -> {
            if (order.key().equals("hot")) {
                Thread.sleep(2);
            }
        });
        List<Order> sent = new ArrayList<>();
        for (int seq = 0; seq < 300; seq++) {
            sent.add(new Order("hot", seq));
            sent.add(new Order("cold-" + (seq % 50), seq / 50));
        }
        orders(app).sendAll(sent);
        String key = orders(app).partitionKey(0);
        AtomicLong mostPending = new AtomicLong();

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
            mostPending.accumulateAndGet(app.transport().pendingCount(key, "proc"), Math::max);
            return watch.log.count() == sent.size();
        });
        worker.stop();

        Map<String, List<Integer>> seen = watch.log.snapshot();
        assertThat(seen.get("hot")).hasSize(300).isSorted();
        // Read and not yet acknowledged: the buffer (prefetch and a half at most), the events
        // queued behind the hot key (prefetch at most), those in flight, and acks not yet sent.
        assertThat(mostPending.get()).isLessThanOrEqualTo(prefetch * 3L / 2 + prefetch + maxInFlight
                + CompletedIds.GROUP);
        for (int k = 0; k < 50; k++) {
            assertThat(seen.get("cold-" + k)).as("cold-%s", k).containsExactly(0, 1, 2, 3, 4, 5);
        }
        assertThat(watch.overlaps).isEmpty();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void deliveries_in_flight_and_the_wait_behind_a_key_show_in_the_metrics_and_status(TransportKind transport) {
        Watch watch = new Watch();
        CountDownLatch release = new CountDownLatch(1);
        App app = app(transport, 1, o -> o.maxInFlight(8), watch, order -> {
            if (order.seq() == 0) {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            }
        });
        List<Order> sent = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            sent.add(new Order("key-" + k, 0));
        }
        sent.add(new Order("key-0", 1)); // waits behind key-0's first event
        orders(app).sendAll(sent);
        String prefix = "runnel." + app.name() + ".proc.";

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge(app, prefix + "partition.0.in-flight") == 5);
        assertThat(gauge(app, prefix + "in-flight")).isEqualTo(5);
        // Status, read from Redis, shows what the owner reported with its last heartbeat.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            PartitionStatus status = app.status().processor("proc").partition(0);
            assertThat(status.inFlight()).hasValue(5);
            assertThat(status.oldestInFlightAge()).hasValueSatisfying(age -> assertThat(age).isPositive());
        });
        release.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> watch.log.count() == 6);
        await().atMost(Duration.ofSeconds(30)).until(() -> gauge(app, prefix + "in-flight") == 0);
        String owner = app.status().processor("proc").partition(0).owner().orElseThrow();
        String report = app.processor("proc").inFlightKey(owner);
        assertThat(app.transport().get(report)).isPresent();
        worker.stop();
        assertThat(app.transport().get(report)).as("the report is deleted when its executor leaves").isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().timer(prefix + "key-wait").getCount() == 1);
        assertThat(app.metrics().timer(prefix + "key-wait").getSnapshot().getMax()).as("nanos waited")
                .isGreaterThan(0);
    }

    private static int gauge(App app, String name) {
        return ((Number) app.metrics().getGauges().get(name).getValue()).intValue();
    }

    @Test
    void asking_for_concurrency_where_it_cannot_apply_fails_at_definition() {
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("keyed"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        assertThatThrownBy(() -> app.processor(orders, "loop", o -> o.maxInFlight(4), events -> { }))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("max_in_flight 4").hasMessageContaining("ProcessorFunction.eachRecord");
        Stream<Order> keyless = app.stream("keyless", Order.class, (java.util.function.Function<Order, ?>) null, o -> o.partitionCount(1));
        assertThatThrownBy(() -> app.processor(keyless, "each", o -> o.maxInFlight(4),
                ProcessorFunction.eachRecord(order -> { })))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("stream keyless has no partition key function");
    }

    @Test
    void the_app_wide_default_applies_only_where_it_can() {
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("keyed"), b -> b.setting("default_max_in_flight", 16));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Stream<Order> keyless = app.stream("keyless", Order.class, (java.util.function.Function<Order, ?>) null, o -> o.partitionCount(1));
        app.processor(orders, "loop", events -> { });
        app.processor(orders, "each", ProcessorFunction.eachRecord(order -> { }));
        app.processor(keyless, "keyless", ProcessorFunction.eachRecord(order -> { }));
        assertThat(app.processor("loop").maxInFlight()).isEqualTo(1);
        assertThat(app.processor("each").maxInFlight()).isEqualTo(16);
        assertThat(app.processor("keyless").maxInFlight()).isEqualTo(1);
    }
}
