// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Middleware;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** HALT, QUARANTINE and IGNORE, middleware visibility and dead letters, with a poison event among good ones. */
@Tag("redis")
class FailurePolicyTest extends RedisBackedTest {
    static final class Poison extends RuntimeException {
        Poison(String message) {
            super(message);
        }
    }

    private App app;

    /** Two partitions; key "bad" lives in one of them, and its seq 3 throws. */
    private Stream<Order> setUp(ExceptionPolicy policy, ProcessedLog log, List<Middleware> middleware, boolean deadLetters) {
        return setUp(TransportKind.LETTUCE, policy, log, middleware, deadLetters);
    }

    private Stream<Order> setUp(TransportKind transport, ExceptionPolicy policy, ProcessedLog log,
                                List<Middleware> middleware, boolean deadLetters) {
        app = apps.app(transport, TestApps.uniqueName("fail"), b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", o -> {
            o.exceptionPolicy(policy).middleware(middleware.toArray(Middleware[]::new));
            if (deadLetters) {
                o.deadLetters();
            }
        }, events -> {
            for (Order order : events.records()) {
                if (order.key().equals("bad") && order.seq() == 3) {
                    throw new Poison("poison " + order.seq());
                }
                log.add(order);
            }
        });
        return orders;
    }

    private static String goodKeyOnOtherPartition(Stream<Order> orders) {
        int bad = orders.partitionOf(new Order("bad", 0));
        for (int i = 0; ; i++) {
            if (orders.partitionOf(new Order("good-" + i, 0)) != bad) {
                return "good-" + i;
            }
        }
    }

    private static void send(Stream<Order> orders, String good) {
        for (int seq = 0; seq < 10; seq++) {
            orders.sendAll(List.of(new Order("bad", seq), new Order(good, seq)));
        }
    }

    @ParameterizedTest
    @TransportKind.Memory
    void halt_stops_the_worker_with_the_error_and_leaves_the_failed_event_pending(TransportKind transport) throws Exception {
        ProcessedLog log = new ProcessedLog();
        Stream<Order> orders = setUp(transport, ExceptionPolicy.HALT, log, List.of(), false);
        send(orders, goodKeyOnOtherPartition(orders));

        Worker worker = app.worker().start();

        assertThat(worker.awaitStopped(Duration.ofSeconds(30))).isTrue();
        assertThatThrownBy(worker::await).isInstanceOf(Poison.class).hasMessage("poison 3");
        assertThat(log.snapshot().get("bad")).containsExactly(0, 1, 2);
        int p = orders.partitionOf(new Order("bad", 0));
        assertThat(app.transport().pendingCount(orders.partitionKey(p), "proc")).isGreaterThanOrEqualTo(1);
        // The stopped worker released its locks.
        assertThat(app.transport().get(Keys.lock(app.name(), "orders", "proc", p))).isEmpty();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void a_halt_shows_in_status_with_its_events_until_an_owner_gets_past_them(TransportKind transport) throws Exception {
        String name = TestApps.uniqueName("halt");
        AtomicBoolean poisoned = new AtomicBoolean(true);
        ProcessedLog log = new ProcessedLog();
        Supplier<App> newApp = () -> {
            App a = apps.app(transport, name, b -> b.setting("default_partition_count", 2));
            Stream<Order> orders = a.stream("orders", Order.class, Order::key);
            a.processor(orders, "proc", events -> {
                for (Order order : events.records()) {
                    if (poisoned.get() && order.key().equals("bad") && order.seq() == 3) {
                        throw new Poison("poison " + order.seq());
                    }
                    log.add(order);
                }
            });
            return a;
        };
        App first = newApp.get();
        @SuppressWarnings("unchecked")
        Stream<Order> orders = (Stream<Order>) first.streamNamed("orders");
        send(orders, goodKeyOnOtherPartition(orders));
        int p = orders.partitionOf(new Order("bad", 0));

        Worker halted = first.worker().start();
        assertThat(halted.awaitStopped(Duration.ofSeconds(30))).isTrue();
        PartitionStatus status = first.status().processor("proc").partition(p);
        String failedId = first.transport().groupInfo(orders.partitionKey(p), "proc")
                .flatMap(GroupInfo::oldestPendingId).orElseThrow();
        assertThat(status.halted()).hasValueSatisfying(h -> {
            assertThat(h.eventIds()).contains(failedId);
            assertThat(h.error()).isEqualTo(Poison.class.getName());
            assertThat(h.message()).isEqualTo("poison 3");
            assertThat(h.worker()).isEqualTo(halted.id());
        });
        assertThat(first.status().processor("proc").partition(1 - p).halted()).isEmpty();

        // The fix is deployed: the next worker gets past the events, and the mark goes.
        poisoned.set(false);
        App second = newApp.get();
        Worker fixed = second.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.snapshot().getOrDefault("bad", List.of()).size() == 10);
        await().atMost(Duration.ofSeconds(30)).until(() -> second.status().processor("proc").partition(p).halted().isEmpty());
        fixed.stop();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void quarantine_poisons_only_the_failing_partition_and_the_others_go_on(TransportKind transport) {
        ProcessedLog log = new ProcessedLog();
        Stream<Order> orders = setUp(transport, ExceptionPolicy.QUARANTINE, log, List.of(), false);
        String good = goodKeyOnOtherPartition(orders);
        send(orders, good);
        int bad = orders.partitionOf(new Order("bad", 0));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> worker.poisonedPartitions("proc").contains(bad));
        await().atMost(Duration.ofSeconds(30)).until(() -> log.snapshot().getOrDefault(good, List.of()).size() == 10);
        // More events for the healthy partition keep flowing; the poisoned one stays put.
        orders.send(new Order(good, 10));
        orders.send(new Order("bad", 10));
        await().atMost(Duration.ofSeconds(30)).until(() -> log.snapshot().get(good).size() == 11);
        assertThat(worker.failure()).isEmpty();
        assertThat(log.snapshot().get("bad")).containsExactly(0, 1, 2);
        assertThat(worker.ownedPartitions("proc")).contains(bad);
        assertThat(worker.poisonedPartitions("proc")).containsExactly(bad);
    }

    @ParameterizedTest
    @TransportKind.Memory
    void ignore_acks_the_failed_event_and_processing_goes_on_after_it(TransportKind transport) {
        ProcessedLog log = new ProcessedLog();
        Stream<Order> orders = setUp(transport, ExceptionPolicy.IGNORE, log, List.of(), false);
        String good = goodKeyOnOtherPartition(orders);
        send(orders, good);

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == 19);
        worker.stop();
        assertThat(log.snapshot().get("bad")).containsExactly(0, 1, 2, 4, 5, 6, 7, 8, 9);
        assertThat(log.snapshot().get(good)).hasSize(10);
        for (int p = 0; p < 2; p++) {
            assertThat(app.transport().pendingCount(orders.partitionKey(p), "proc")).isZero();
        }
    }

    @Test
    void middleware_sees_every_delivery_and_whether_it_succeeded_or_failed() {
        ProcessedLog log = new ProcessedLog();
        List<String> calls = new CopyOnWriteArrayList<>();
        Middleware recorder = new Middleware() {
            @Override
            public void beforeProcessing(Delivery d) {
                calls.add("before " + d.events().size());
            }

            @Override
            public void afterSuccess(Delivery d) {
                calls.add("success");
            }

            @Override
            public void afterFailure(Delivery d, Throwable error) {
                calls.add("failure " + error.getMessage() + " " + d.events().get(0).id());
            }
        };
        Stream<Order> orders = setUp(ExceptionPolicy.IGNORE, log, List.of(recorder), false);
        app.transport(); // connect before sending
        List<String> ids = orders.sendAll(List.of(new Order("bad", 2), new Order("bad", 3), new Order("bad", 4)));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == 2);
        worker.stop();
        assertThat(calls).containsExactly("before 1", "success", "before 1", "failure poison 3 " + ids.get(1),
                "before 1", "success");
    }

    @ParameterizedTest
    @TransportKind.Every
    void dead_letters_receive_failed_events_byte_for_byte_with_the_reason(TransportKind transport) {
        ProcessedLog log = new ProcessedLog();
        Stream<Order> orders = setUp(transport, ExceptionPolicy.IGNORE, log, List.of(), true);
        String id = orders.sendAll(List.of(new Order("bad", 2), new Order("bad", 3))).get(1);
        int p = orders.partitionOf(new Order("bad", 3));
        StreamEntry original = app.transport().range(orders.partitionKey(p), id, id, 1).get(0);

        Worker worker = app.worker().start();

        Stream<Order> dead = orders.deadLetters();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.transport().length(dead.partitionKey(0)) == 1);
        worker.stop();
        StreamEntry letter = app.transport().range(dead.partitionKey(0), "-", "+", 10).get(0);
        assertThat(dead.name()).isEqualTo("dead.orders");
        assertThat(letter.fields().get("data")).isEqualTo(original.fields().get("data"));
        assertThat(text(letter, "dead_id")).isEqualTo(id);
        assertThat(text(letter, "dead_partition")).isEqualTo(Integer.toString(p));
        assertThat(text(letter, "dead_processor")).isEqualTo("proc");
        assertThat(text(letter, "dead_error")).contains("Poison").contains("poison 3");
        assertThat(dead.codec().decode(letter.fields())).isEqualTo(new Order("bad", 3));
    }

    @Test
    void a_corrupt_event_is_handled_by_the_policy_and_the_worker_keeps_its_other_partitions() {
        ProcessedLog log = new ProcessedLog();
        Stream<Order> orders = setUp(ExceptionPolicy.QUARANTINE, log, List.of(), true);
        String good = goodKeyOnOtherPartition(orders);
        int bad = orders.partitionOf(new Order("bad", 0));
        app.transport().append(new Append(orders.partitionKey(bad), null,
                Map.of("data", "{not json".getBytes(StandardCharsets.UTF_8)), 0));
        orders.send(new Order(good, 0));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> worker.poisonedPartitions("proc").contains(bad));
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == 1);
        assertThat(worker.failure()).isEmpty();
        StreamEntry letter = app.transport().range(orders.deadLetters().partitionKey(0), "-", "+", 10).get(0);
        assertThat(text(letter, "dead_error")).contains("SerializationException");
        assertThat(text(letter, "data")).isEqualTo("{not json");
    }

    private static String text(StreamEntry e, String field) {
        return new String(e.fields().get(field), StandardCharsets.UTF_8);
    }
}
