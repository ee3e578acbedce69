// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Tag("redis")
class ProcessingTest extends RedisBackedTest {
    private App app;

    @ParameterizedTest
    @TransportKind.Every
    void records_are_processed_once_each_in_order_per_key_and_acked(TransportKind transport) {
        app = apps.app(transport, TestApps.uniqueName("proc"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "printer", events -> {
            for (Order o : events.records()) {
                log.add(o);
            }
        });
        orders.sendAll(TestApps.orders(20, 25));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() >= 500);
        worker.stop();
        log.assertExactlyOnceInOrder(20, 25);
        for (int p = 0; p < orders.partitionCount(); p++) {
            assertThat(app.transport().pendingCount(orders.partitionKey(p), "printer")).isZero();
        }
    }

    @Test
    void a_slow_processor_with_a_full_buffer_gets_each_event_acked_when_it_completes() throws Exception {
        app = apps.app(TestApps.uniqueName("proc"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        java.util.concurrent.Semaphore finish = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.atomic.AtomicInteger started = new java.util.concurrent.atomic.AtomicInteger();
        app.processor(orders, "slow", events -> {
            for (Order o : events.records()) {
                started.incrementAndGet();
                finish.acquire(); // each event takes as long as the test says
            }
        });
        orders.sendAll(TestApps.orders(1, 5));
        Worker worker = app.worker().start();
        String key = orders.partitionKey(0);
        await().atMost(Duration.ofSeconds(30)).until(() -> started.get() == 1);
        for (int done = 1; done <= 3; done++) {
            int expectedPending = 5 - done;
            int expectedStarted = done + 1;
            // Let more than the 20 ms grouping window pass, as a slow processor would.
            await().pollDelay(Duration.ofMillis(30)).atMost(Duration.ofSeconds(5)).until(() -> true);
            finish.release();
            // The next event is buffered, so the consumer never waits: the ack must go anyway.
            await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == expectedStarted
                    && app.transport().pendingCount(key, "slow") == expectedPending);
        }
        finish.release(10);
        worker.stop();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void acks_grouped_for_speed_still_go_out_as_soon_as_a_partition_has_nothing_left(TransportKind transport) {
        app = apps.app(transport, TestApps.uniqueName("proc"), b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "printer", events -> {
            for (Order o : events.records()) {
                log.add(o);
            }
        });
        // Fewer than a group of acks per partition, and then nothing more arrives.
        orders.sendAll(TestApps.orders(4, 5));
        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == 20);

        // The worker keeps running: the acks must not wait for more events or for stop().
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long pending = 0;
            for (int p = 0; p < orders.partitionCount(); p++) {
                pending += app.transport().pendingCount(orders.partitionKey(p), "printer");
            }
            return pending == 0;
        });
        assertThat(worker.ownedPartitions("printer")).hasSize(2);
        worker.stop();
    }

    @Test
    void events_started_before_the_worker_and_after_are_both_processed() {
        app = apps.app(TestApps.uniqueName("live"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "printer", events -> events.records().forEach(log::add));
        orders.sendAll(TestApps.orders(5, 10).subList(0, 25));
        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> log.count() >= 25);

        orders.sendAll(TestApps.orders(5, 10).subList(25, 50));

        await().atMost(Duration.ofSeconds(20)).until(() -> log.count() >= 50);
        worker.stop();
        log.assertExactlyOnceInOrder(5, 10);
    }

    @Test
    void raw_events_carry_partition_id_and_fields() {
        app = apps.app(TestApps.uniqueName("raw"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ConcurrentLinkedQueue<Event> seen = new ConcurrentLinkedQueue<>();
        app.processor(orders, "raw", events -> events.events().forEach(seen::add));
        Order order = new Order("k", 1);
        String id = orders.send(order);

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> !seen.isEmpty());
        worker.stop();
        Event e = seen.peek();
        assertThat(e.id()).isEqualTo(id);
        assertThat(e.partition()).isEqualTo(orders.partitionOf(order));
        assertThat(e.stream()).isEqualTo("orders");
        assertThat(e.fields()).containsKey("data");
        assertThat(orders.codec().decode(e.fields())).isEqualTo(order);
    }

    @ParameterizedTest
    @TransportKind.Memory
    void take_hands_out_batches_of_at_most_n_that_cover_everything_in_order(TransportKind transport) {
        app = apps.app(transport, TestApps.uniqueName("take"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "batcher", o -> o.prefetchCount(50), events -> {
            for (List<Order> batch : events.take(11, Duration.ofMillis(300)).records()) {
                sizes.add(batch.size());
                batch.forEach(log::add);
            }
        });
        orders.sendAll(TestApps.orders(1, 100));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> log.count() >= 100);
        worker.stop();
        log.assertExactlyOnceInOrder(1, 100);
        assertThat(sizes).allMatch(s -> s >= 1 && s <= 11);
        assertThat(sizes).contains(11);
        assertThat(app.transport().pendingCount(orders.partitionKey(0), "batcher")).isZero();
    }

    @Test
    void pending_events_trimmed_before_recovery_are_skipped_and_acknowledged() {
        app = apps.app(TestApps.uniqueName("trimmed"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        List<String> ids = orders.sendAll(TestApps.orders(1, 5));
        String key = orders.partitionKey(0);
        // A previous owner was delivered the first three and died; then the second was trimmed away.
        app.transport().createGroup(List.of(key), "proc", "0");
        app.transport().readGroup("proc", Processor.CONSUMER, Map.of(key, ">"), 3, null);
        redis.server().call("XDEL", key, ids.get(1));
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", events -> events.records().forEach(log::add));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> log.count() == 4);
        worker.stop();
        assertThat(log.snapshot().get("key-0")).containsExactly(0, 2, 3, 4);
        assertThat(app.transport().pendingCount(key, "proc")).isZero();
    }

    @Test
    void events_whose_read_reply_was_lost_are_recovered_from_the_pending_list() {
        Transport real = new io.runnel.redis.lettuce.LettuceTransportProvider().open(ConnectionUrl.parse(redis.url()));
        AtomicInteger lost = new AtomicInteger();
        // The server runs one read that delivers events, but its reply never arrives, as when
        // a connection drops mid-read: the events sit in the pending list.
        Transport lossy = Intercepted.method(real, "readGroupFenced", (args, proceed) -> {
            Object result = proceed.call();
            boolean delivered = ((List<?>) result).stream().anyMatch(r -> !((FencedRead.Result) r).entries().isEmpty());
            if (delivered && lost.compareAndSet(0, 1)) {
                throw new TransportException("connection reset (simulated)");
            }
            return result;
        });
        app = apps.app(TestApps.uniqueName("lost"), b -> b.setting("default_partition_count", 1)
                .module(binder -> binder.bind(Transport.class).toInstance(lossy)));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", events -> events.records().forEach(log::add));
        orders.sendAll(TestApps.orders(3, 10));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> log.count() == 30);
        worker.stop();
        assertThat(lost).hasValue(1);
        log.assertExactlyOnceInOrder(3, 10);
        assertThat(real.pendingCount(orders.partitionKey(0), "proc")).isZero();
        real.close();
    }

    /** Everything the JSON serializer must carry exactly. */
    record Item(String sku, int quantity, BigDecimal price) {
    }

    enum Status { NEW, PAID }

    record Invoice(long id, Instant at, LocalDate due, Status status, List<Item> items, Map<String, Item> bySku,
                   BigDecimal total, byte[] signature) {
    }

    @Test
    void nested_structured_records_round_trip_through_redis_exactly() {
        app = apps.app(TestApps.uniqueName("nested"));
        Stream<Invoice> invoices = app.stream("invoices", Invoice.class, Invoice::id);
        Item a = new Item("a-1", 2, new BigDecimal("12345678901234567890.123456789"));
        Item b = new Item("b-2", 1, new BigDecimal("0.10"));
        Invoice sent = new Invoice(42, Instant.parse("2024-05-06T07:08:09.123456789Z"), LocalDate.of(2024, 6, 30),
                Status.PAID, List.of(a, b), Map.of("a-1", a, "b-2", b), new BigDecimal("24691357802469135780.35"),
                new byte[] {1, 2, 3, (byte) 0xff});
        ConcurrentLinkedQueue<Invoice> seen = new ConcurrentLinkedQueue<>();
        app.processor(invoices, "reader", events -> events.records().forEach(seen::add));
        invoices.send(sent);

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> !seen.isEmpty());
        worker.stop();
        assertThat(seen.peek()).usingRecursiveComparison().isEqualTo(sent);
    }
}
