// SPDX-License-Identifier: Apache-2.0

package io.runnel.test;

import io.runnel.api.Delivery;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Middleware;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Windows;
import io.runnel.engine.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The driver on its own, on the memory transport: views, policies, retries, middleware, parking, sends, time. */
class ProcessorTestDriverTest {
    /** An order; the customer decides the partition. */
    record Order(String customer, int seq) {
    }

    static final class Declined extends RuntimeException {
        Declined(String message) {
            super(message);
        }
    }

    private static final AtomicInteger NEXT = new AtomicInteger();
    private final List<AutoCloseable> open = new ArrayList<>();

    private App app(int partitions) {
        String name = "driver" + NEXT.incrementAndGet();
        App app = App.builder(name).environment(Map.of()).redisUrl("memory://" + name)
                .setting("default_partition_count", partitions).build();
        open.add(app);
        return app;
    }

    private <T> ProcessorTestDriver<T> driver(App app, String processor) {
        ProcessorTestDriver<T> driver = ProcessorTestDriver.of(app, processor);
        open.add(0, driver);
        return driver;
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private static List<Order> orders(String customer, int count) {
        List<Order> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(new Order(customer, i));
        }
        return all;
    }

    /** What the counting processor sends: the customer's count after this order. */
    record Count(String customer, long n) {
    }

    /** What the windowed processor sends: a customer's orders in a window. */
    record PerWindow(String customer, Instant start, long n) {
    }

    private static long timeOf(String id) {
        return Long.parseLong(id.substring(0, id.indexOf('-')));
    }

    /** A processor counting orders per customer in tumbling windows of {@code size}, sending to "per-window". */
    private static Stream<PerWindow> windowed(App app, Stream<Order> orders, Duration size) {
        Stream<PerWindow> out = app.stream("per-window", PerWindow.class, PerWindow::customer);
        app.processor(orders, "windowed", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                ProcessorFunction.<Order, Long>aggregateWindows(Windows.tumbling(size), Long.class,
                        (n, order) -> n == null ? 1L : n + 1,
                        (window, context) -> context.send(out,
                                new PerWindow(window.key(), window.start(), window.value()))));
        return out;
    }

    @Test
    void state_with_a_time_to_live_expires_by_the_drivers_clock() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        Stream<Count> counts = app.stream("counts", Count.class, Count::customer);
        app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                    long n = context.state("today", Long.class, Duration.ofHours(1))
                            .merge(order.customer(), 1L, Long::sum);
                    context.send(counts, new Count(order.customer(), n));
                }));
        ProcessorTestDriver<Order> driver = driver(app, "counter");

        driver.pipe(orders("ada", 2));
        driver.runUntilIdle();
        assertThat(driver.state("today", Long.class).get("ada")).isEqualTo(2L);
        driver.advanceTime(Duration.ofMinutes(59));
        assertThat(driver.state("today", Long.class).get("ada")).isEqualTo(2L);
        driver.advanceTime(Duration.ofMinutes(2));
        assertThat(driver.state("today", Long.class).get("ada")).as("an hour after its last write").isNull();

        driver.pipe(new Order("ada", 9));
        driver.runUntilIdle();
        assertThat(driver.sentTo(counts)).containsExactly(new Count("ada", 1), new Count("ada", 2), new Count("ada", 1));
    }

    @Test
    void a_window_closes_at_the_first_event_past_its_end() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        Stream<PerWindow> out = windowed(app, orders, Duration.ofMillis(100));
        // The driver's clock far behind the events' times: only events close windows.
        ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "windowed", Instant.parse("2020-01-01T00:00:00Z"));
        open.add(0, driver);

        String first = driver.pipe(new Order("ada", 0)).get(0);
        driver.runUntilIdle();
        assertThat(driver.sentTo(out)).as("its window is open").isEmpty();
        long start = timeOf(first) / 100 * 100;
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> System.currentTimeMillis() >= start + 100);
        String second = driver.pipe(new Order("ada", 1)).get(0);
        assertThat(timeOf(second)).isGreaterThanOrEqualTo(start + 100);
        driver.runUntilIdle();

        assertThat(driver.sentTo(out)).containsExactly(new PerWindow("ada", Instant.ofEpochMilli(start), 1));
        assertThat(driver.state("_windows", Long.class).get(timeOf(second) / 100 * 100 + ":ada"))
                .as("the second order's window, open").isEqualTo(1L);
        assertThat(driver.pending()).isEmpty();
    }

    @Test
    void an_idle_window_closes_by_the_drivers_clock_and_a_late_event_is_left_out() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        Stream<PerWindow> out = windowed(app, orders, Duration.ofMinutes(1));
        ProcessorTestDriver<Order> driver = driver(app, "windowed");

        List<String> ids = driver.pipe(new Order("ada", 0), new Order("ada", 1));
        driver.runUntilIdle();
        assertThat(driver.sentTo(out)).isEmpty();

        driver.advanceTime(Duration.ofMinutes(2));
        driver.runUntilIdle();
        Map<Long, Long> perMinute = new java.util.TreeMap<>();
        ids.forEach(id -> perMinute.merge(timeOf(id) / 60_000 * 60_000, 1L, Long::sum));
        assertThat(driver.sentTo(out)).containsExactlyElementsOf(perMinute.entrySet().stream()
                .map(e -> new PerWindow("ada", Instant.ofEpochMilli(e.getKey()), e.getValue())).toList());

        // Its time is before the clock the window closed by: late.
        driver.pipe(new Order("ada", 2));
        driver.runUntilIdle();
        driver.advanceTime(Duration.ofMinutes(2));
        driver.runUntilIdle();
        assertThat(driver.sentTo(out)).hasSize(perMinute.size());
        assertThat(driver.pending()).isEmpty();
        assertThat(app.metrics().meter("runnel." + app.name() + ".windowed.late-events").getCount()).isEqualTo(1);
    }

    @Test
    void a_processor_with_a_context_commits_its_state_and_sends_and_a_failure_leaves_nothing_of_its_own() {
        App app = app(2);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        Stream<Count> counts = app.stream("counts", Count.class, Count::customer);
        List<Thread> threads = new ArrayList<>();
        app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE)
                        .exceptionPolicy(ExceptionPolicy.IGNORE),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                    threads.add(Thread.currentThread());
                    long n = context.state("orders", Long.class).merge(order.customer(), 1L, Long::sum);
                    context.send(counts, new Count(order.customer(), n));
                    if (order.seq() == 2) {
                        throw new Declined("after staging its count");
                    }
                }));
        ProcessorTestDriver<Order> driver = driver(app, "counter");

        driver.pipe(orders("ada", 4));
        driver.pipe(orders("bob", 1));
        driver.runUntilIdle();

        assertThat(threads).containsOnly(Thread.currentThread());
        assertThat(driver.sentTo(counts)).as("ada's third order failed: its count is not sent")
                .containsExactlyInAnyOrder(new Count("ada", 1), new Count("ada", 2), new Count("ada", 3),
                        new Count("bob", 1));
        assertThat(driver.state("orders", Long.class).get("ada")).isEqualTo(3L);
        assertThat(driver.state("orders", Long.class).get("bob")).isEqualTo(1L);
        assertThat(driver.pending()).isEmpty();

        driver.pipe(new Order("bob", 7));
        driver.runUntilIdle();
        assertThat(driver.state("orders", Long.class).get("bob")).as("a later run reads the committed state").isEqualTo(2L);
    }

    @Test
    void processes_what_was_piped_on_the_callers_thread_and_acknowledges_it() {
        App app = app(4);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        List<Order> seen = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        app.processor(orders, "billing", events -> {
            for (Order o : events.records()) {
                seen.add(o);
                threads.add(Thread.currentThread());
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        driver.pipe(orders("alice", 3));
        driver.pipe(orders("bob", 3).toArray(Order[]::new));
        assertThat(driver.pending()).hasSize(6);
        assertThat(driver.acked()).isEmpty();

        driver.runUntilIdle();

        assertThat(seen).containsExactlyInAnyOrderElementsOf(driver.acked()).hasSize(6);
        assertThat(seen.stream().filter(o -> o.customer().equals("alice")).map(Order::seq)).containsExactly(0, 1, 2);
        assertThat(seen.stream().filter(o -> o.customer().equals("bob")).map(Order::seq)).containsExactly(0, 1, 2);
        assertThat(threads).containsOnly(Thread.currentThread());
        assertThat(driver.pending()).isEmpty();

        driver.pipe(new Order("alice", 3));
        driver.runUntilIdle();
        assertThat(seen).hasSize(7).last().isEqualTo(new Order("alice", 3));
    }

    @Test
    void two_records_piped_together_are_both_sent_each_to_its_own_keys_partition() {
        App app = app(4);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "billing", events -> events.records().forEach(o -> { }));
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        Order ada = new Order("ada", 0);
        Order ken = new Order("ken", 0);

        assertThat(driver.pipe(ada, ken)).hasSize(2);

        assertThat(driver.pending()).containsExactlyInAnyOrder(ada, ken);
        driver.runUntilIdle();
        assertThat(driver.acked()).containsExactlyInAnyOrder(ada, ken);
    }

    @Test
    void a_per_record_processor_with_max_in_flight_runs_in_stream_order_or_in_the_key_order_the_test_forces() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        List<String> seen = new ArrayList<>();
        app.processor(orders, "each", o -> o.maxInFlight(16),
                ProcessorFunction.<Order>eachRecord(order -> seen.add(order.customer() + order.seq())));
        ProcessorTestDriver<Order> driver = driver(app, "each");

        driver.pipe(new Order("ada", 1), new Order("ada", 2), new Order("bob", 1), new Order("cy", 1));
        driver.runUntilIdle();
        assertThat(seen).as("one at a time, in stream order").containsExactly("ada1", "ada2", "bob1", "cy1");

        seen.clear();
        driver.pipe(new Order("ada", 3), new Order("ada", 4), new Order("bob", 2), new Order("cy", 2));
        driver.runInKeyOrder("cy", "ada", "bob");
        assertThat(seen).as("the keys' next events in the order forced, then the rest in stream order")
                .containsExactly("cy2", "ada3", "bob2", "ada4");
        assertThat(driver.pending()).isEmpty();
        assertThat(driver.acked()).hasSize(8);

        assertThatThrownBy(() -> driver.runInKeyOrder("ada")).isInstanceOf(IllegalStateException.class)
                .hasMessage("key ada has no event left to process (partition 0)");
    }

    @Test
    void take_hands_out_batches_and_a_short_one_at_once_with_the_clock_standing_still() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        List<Integer> sizes = new ArrayList<>();
        app.processor(orders, "batches", events -> {
            for (List<Order> batch : events.take(3, Duration.ofMillis(500)).records()) {
                sizes.add(batch.size());
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "batches");
        Instant start = driver.now();
        driver.pipe(orders("alice", 7).toArray(Order[]::new));

        driver.runUntilIdle();

        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(driver.acked()).hasSize(7);
        assertThat(driver.now()).isEqualTo(start);
    }

    @Test
    void ignore_with_dead_letters_acknowledges_the_failure_and_records_it() {
        App app = app(2);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "billing", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(), events -> {
            for (Order o : events.records()) {
                if (o.seq() == 1) {
                    throw new Declined("declined " + o);
                }
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        List<String> ids = driver.pipe(orders("alice", 3).toArray(Order[]::new));

        driver.runUntilIdle();

        assertThat(driver.acked()).containsExactlyElementsOf(orders("alice", 3));
        assertThat(driver.pending()).isEmpty();
        assertThat(driver.deadLetters()).singleElement().satisfies(d -> {
            assertThat(d.processor()).isEqualTo("billing");
            assertThat(d.error()).contains("Declined");
            assertThat(d.eventId()).isEqualTo(ids.get(1));
        });
        assertThat(driver.sentTo(orders.deadLetters())).containsExactly(new Order("alice", 1));
    }

    @Test
    void quarantine_poisons_the_failing_partition_and_the_others_go_on() {
        App app = app(4);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "billing", o -> o.exceptionPolicy(ExceptionPolicy.QUARANTINE), events -> {
            for (Order o : events.records()) {
                if (o.customer().equals("mallory") && o.seq() == 1) {
                    throw new Declined("declined " + o);
                }
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        String other = customerOnAnotherPartition(orders, "mallory");
        driver.pipe(orders("mallory", 3).toArray(Order[]::new));
        driver.pipe(orders(other, 3).toArray(Order[]::new));

        driver.runUntilIdle();

        assertThat(driver.poisoned()).containsExactly(orders.partitionOf(new Order("mallory", 0)));
        assertThat(driver.acked()).containsExactlyInAnyOrder(new Order("mallory", 0), new Order(other, 0),
                new Order(other, 1), new Order(other, 2));
        assertThat(driver.pending()).containsExactly(new Order("mallory", 1), new Order("mallory", 2));
        assertThat(app.status().processor("billing").partition(orders.partitionOf(new Order("mallory", 0))).poisoned())
                .isTrue();

        driver.pipe(new Order(other, 3));
        driver.runUntilIdle(); // the poisoned partition is not run again
        assertThat(driver.pending()).containsExactly(new Order("mallory", 1), new Order("mallory", 2));
    }

    @Test
    void halt_throws_the_failure_as_a_worker_stops_with_it_and_leaves_the_event_pending() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        AtomicInteger tries = new AtomicInteger();
        app.processor(orders, "billing", o -> o.exceptionPolicy(ExceptionPolicy.HALT), events -> {
            for (Order o : events.records()) {
                if (o.seq() == 1) {
                    tries.incrementAndGet();
                    throw new Declined("declined " + o);
                }
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        driver.pipe(orders("alice", 3).toArray(Order[]::new));

        assertThatThrownBy(driver::runUntilIdle).isInstanceOf(Declined.class);
        assertThat(driver.acked()).containsExactly(new Order("alice", 0));
        assertThat(driver.pending()).containsExactly(new Order("alice", 1), new Order("alice", 2));
        assertThat(app.status().processor("billing").partition(0).halted()).isPresent();

        // Like the next worker to take the partition: it meets the event first, and halts too.
        assertThatThrownBy(driver::runUntilIdle).isInstanceOf(Declined.class);
        assertThat(tries).hasValue(2);
    }

    @Test
    void retries_in_place_at_once_then_apply_the_policy() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        List<String> tries = new ArrayList<>();
        app.processor(orders, "billing", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters()
                        .retry(3, Duration.ofSeconds(1), Duration.ofSeconds(1), 1.0, 0.0),
                events -> {
                    for (Order o : events.records()) {
                        tries.add(o.seq() + "@" + events.attempt());
                        if (o.seq() == 1) {
                            throw new Declined("declined " + o);
                        }
                    }
                });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        Instant start = driver.now();
        driver.pipe(orders("alice", 3).toArray(Order[]::new));

        driver.runUntilIdle();

        assertThat(tries).containsExactly("0@1", "1@1", "1@2", "1@3", "2@1");
        assertThat(driver.now()).isEqualTo(start); // the two backoffs of 1 s ended at once
        assertThat(driver.deadLetters()).hasSize(1);
        assertThat(driver.acked()).hasSize(3);
    }

    @Test
    void middleware_sees_each_delivery_before_and_after_it() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        List<String> calls = new ArrayList<>();
        Middleware recording = new Middleware() {
            @Override
            public void beforeProcessing(Delivery d) {
                calls.add("before " + d.events().get(0).id());
            }

            @Override
            public void afterSuccess(Delivery d) {
                calls.add("success " + d.events().get(0).id());
            }

            @Override
            public void afterFailure(Delivery d, Throwable error) {
                calls.add("failure " + d.events().get(0).id() + " " + error.getClass().getSimpleName());
            }
        };
        app.processor(orders, "billing", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).middleware(recording), events -> {
            for (Order o : events.records()) {
                if (o.seq() == 1) {
                    throw new Declined("declined");
                }
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        List<String> ids = driver.pipe(orders("alice", 2).toArray(Order[]::new));

        driver.runUntilIdle();

        assertThat(calls).containsExactly("before " + ids.get(0), "success " + ids.get(0),
                "before " + ids.get(1), "failure " + ids.get(1) + " Declined");
    }

    @Test
    void park_sets_a_failing_key_aside_with_its_later_events_and_a_replay_brings_them_back() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        List<Order> processed = new ArrayList<>();
        boolean[] broken = {true};
        app.processor(orders, "billing", o -> o.exceptionPolicy(ExceptionPolicy.PARK), events -> {
            for (Order o : events.records()) {
                if (broken[0] && o.customer().equals("mallory") && o.seq() == 1) {
                    throw new Declined("declined " + o);
                }
                processed.add(o);
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        driver.pipe(new Order("mallory", 0), new Order("mallory", 1), new Order("alice", 0), new Order("mallory", 2),
                new Order("alice", 1));

        driver.runUntilIdle();

        assertThat(processed).containsExactly(new Order("mallory", 0), new Order("alice", 0), new Order("alice", 1));
        assertThat(driver.parked()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("mallory");
            assertThat(p.events()).isEqualTo(2);
        });
        assertThat(driver.pending()).isEmpty();

        broken[0] = false;
        app.parkedKeys("billing").replay("mallory");
        driver.runUntilIdle();

        assertThat(processed).endsWith(new Order("mallory", 1), new Order("mallory", 2));
        assertThat(driver.parked()).isEmpty();
    }

    @Test
    void shows_what_the_processor_sent_to_other_streams() {
        App app = app(2);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        Stream<Order> invoices = app.stream("invoices", Order.class, Order::customer);
        app.processor(orders, "billing", events -> {
            for (Order o : events.records()) {
                invoices.send(new Order(o.customer(), o.seq() * 10));
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        driver.pipe(orders("alice", 3).toArray(Order[]::new));

        driver.runUntilIdle();

        assertThat(driver.sentTo(invoices)).containsExactly(new Order("alice", 0), new Order("alice", 10),
                new Order("alice", 20));
    }

    @Test
    void pipe_with_a_key_sends_to_that_keys_partition() {
        App app = app(8);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        List<Integer> partitions = new ArrayList<>();
        app.processor(orders, "billing", events -> {
            for (Order ignored : events.records()) {
                partitions.add(events.partition());
            }
        });
        ProcessorTestDriver<Order> driver = driver(app, "billing");
        String other = customerOnAnotherPartition(orders, "alice");

        driver.pipeKeyed(other, new Order("alice", 0));
        driver.runUntilIdle();

        assertThat(partitions).containsExactly(orders.partitionOf(new Order(other, 0)));
    }

    @Test
    void advancing_the_clock_fires_timers_and_crontabs_at_their_times() {
        App app = app(1);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "billing", events -> {
            for (Order ignored : events.records()) {
                // nothing
            }
        });
        Instant start = Instant.parse("2026-01-01T00:00:30Z");
        List<String> fired = new ArrayList<>();
        ProcessorTestDriver<Order>[] holder = new ProcessorTestDriver[1];
        app.timer("every-20s", Duration.ofSeconds(20), true, () -> fired.add("timer " + holder[0].now()));
        app.crontab("each-minute", "* * * * *", java.time.ZoneOffset.UTC, false, () -> {
            fired.add("cron " + holder[0].now());
            orders.send(new Order("cron", fired.size()));
        });
        ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "billing", start);
        open.add(0, driver);
        holder[0] = driver;

        driver.advanceTime(Duration.ofSeconds(50));

        assertThat(fired).containsExactly("timer 2026-01-01T00:00:50Z", "cron 2026-01-01T00:01:00Z",
                "timer 2026-01-01T00:01:10Z");
        assertThat(driver.now()).isEqualTo(Instant.parse("2026-01-01T00:01:20Z"));
        assertThat(driver.pending()).hasSize(1);
        driver.runUntilIdle();
        assertThat(driver.acked()).hasSize(1);
    }

    @Test
    void refuses_partitions_a_running_worker_holds() throws Exception {
        App app = app(2);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "billing", events -> {
            for (Order ignored : events.records()) {
                // nothing
            }
        });
        Worker worker = app.worker();
        worker.start();
        org.awaitility.Awaitility.await().until(() -> app.status().processor("billing").partitions().stream()
                .allMatch(p -> p.owner().isPresent()));

        assertThatThrownBy(() -> ProcessorTestDriver.of(app, "billing"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("locked by a running worker");
        worker.stop();
    }

    private static String customerOnAnotherPartition(Stream<Order> orders, String customer) {
        int partition = orders.partitionOf(new Order(customer, 0));
        for (int i = 0; ; i++) {
            if (orders.partitionOf(new Order("c" + i, 0)) != partition) {
                return "c" + i;
            }
        }
    }
}
