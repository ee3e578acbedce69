// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.api.ProcessingGuarantee;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Windows;
import io.runnel.engine.Worker;
import io.runnel.test.ProcessorTestDriver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The snippets of docs/concepts/exactly-once.md, run as the page says they behave. */
class ExactlyOnceSnippets {
    record Order(String customer, long orderId) {
    }

    record OrderCount(String customer, long count) {
    }

    record CustomerMinute(String customer, Instant minute, long orders) {
    }

    @Test
    void a_counting_processor_counts_each_order_once_and_sends_one_count_per_order() throws InterruptedException {
        try (App app = App.builder("docs-exactly-once").setting("default_partition_count", 2).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            // tag::counting[]
            Stream<OrderCount> counts = app.stream("order-counts", OrderCount.class, OrderCount::customer);
            app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                    ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                        long n = context.state("orders-per-customer", Long.class)
                                .merge(order.customer(), 1L, Long::sum);     // staged
                        context.send(counts, new OrderCount(order.customer(), n)); // staged
                    }));  // returning commits both with the order's ack, or none of it
            // end::counting[]
            Map<String, List<Long>> seen = new ConcurrentHashMap<>();
            CountDownLatch printed = new CountDownLatch(30);
            app.processor(counts, "printer", ProcessorFunction.<OrderCount>eachRecord(c -> {
                seen.computeIfAbsent(c.customer(), k -> new CopyOnWriteArrayList<>()).add(c.count());
                printed.countDown();
            }));
            List<Order> sent = new ArrayList<>();
            for (long id = 0; id < 30; id++) {
                sent.add(new Order("customer-" + id % 3, id));
            }
            orders.sendAll(sent);

            Worker worker = app.worker().start();
            assertThat(printed.await(30, TimeUnit.SECONDS)).isTrue();
            worker.stop();

            assertThat(seen).hasSize(3).allSatisfy((customer, ns) ->
                    assertThat(ns).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L));

            // tag::query[]
            Long ordersOfCustomer1 = app.state("counter", "orders-per-customer", Long.class).get("customer-1");
            // end::query[]
            assertThat(ordersOfCustomer1).isEqualTo(10L);
        }
    }

    @Test
    void orders_per_customer_per_minute_are_sent_once_each_when_their_minute_closes() {
        try (App app = App.builder("docs-windows").setting("default_partition_count", 2).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            // tag::windows[]
            Stream<CustomerMinute> perMinute = app.stream("orders-per-minute", CustomerMinute.class,
                    CustomerMinute::customer);
            app.processor(orders, "per-minute", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                    ProcessorFunction.<Order, Long>aggregateWindows(
                            Windows.tumbling(Duration.ofMinutes(1)).withGrace(Duration.ofSeconds(5)), Long.class,
                            (count, order) -> count == null ? 1L : count + 1,        // per customer and minute
                            (window, context) -> context.send(perMinute,             // once the minute closed
                                    new CustomerMinute(window.key(), window.start(), window.value()))));
            // end::windows[]
            List<Order> sent = new ArrayList<>();
            for (long id = 0; id < 30; id++) {
                sent.add(new Order("customer-" + id % 3, id));
            }
            // The test driver's clock closes the minute: the worker's clock would, 5 s after its end.
            try (ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "per-minute")) {
                driver.pipe(sent);
                driver.runUntilIdle();
                assertThat(driver.sentTo(perMinute)).as("nothing is sent while the minute is open").isEmpty();
                driver.advanceTime(Duration.ofMinutes(2));
                driver.runUntilIdle();
                Map<String, Long> perCustomer = new java.util.TreeMap<>();
                driver.sentTo(perMinute).forEach(m -> perCustomer.merge(m.customer(), m.orders(), Long::sum));
                assertThat(perCustomer).containsOnly(Map.entry("customer-0", 10L), Map.entry("customer-1", 10L),
                        Map.entry("customer-2", 10L));
                assertThat(driver.sentTo(perMinute)).extracting(m -> m.customer() + "@" + m.minute())
                        .doesNotHaveDuplicates();
            }
        }
    }
}
