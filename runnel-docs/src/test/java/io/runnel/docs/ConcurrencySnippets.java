// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.test.ProcessorTestDriver;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The snippets of docs/concepts/key-ordered-concurrency.md, run as the page says they behave. */
class ConcurrencySnippets {
    record Order(String customer, long orderId) {
    }

    /** Stands in for a database a handler waits on. */
    static final class Ledger {
        final Map<String, List<Long>> byCustomer = new ConcurrentHashMap<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger mostInFlight = new AtomicInteger();
        final CountDownLatch saved = new CountDownLatch(200);

        void save(Order order) throws InterruptedException {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Thread.sleep(5); // the round trip
            byCustomer.computeIfAbsent(order.customer(), c -> new CopyOnWriteArrayList<>()).add(order.orderId());
            inFlight.decrementAndGet();
            saved.countDown();
        }
    }

    @Test
    void records_of_different_keys_run_at_once_and_each_keys_in_order() throws InterruptedException {
        try (App app = App.builder("docs-concurrency").setting("default_partition_count", 2).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            Ledger ledger = new Ledger();
            // tag::each-record[]
            app.processor(orders, "ledger", o -> o.maxInFlight(64),  // per owned partition
                    ProcessorFunction.eachRecord(order -> ledger.save(order)));   // must be thread-safe
            // end::each-record[]
            List<Order> sent = new ArrayList<>();
            for (long id = 0; id < 200; id++) {
                sent.add(new Order("customer-" + id % 40, id));
            }
            orders.sendAll(sent);

            Worker worker = app.worker().start();
            assertThat(ledger.saved.await(30, TimeUnit.SECONDS)).isTrue();
            worker.stop();

            assertThat(ledger.mostInFlight.get()).as("saves at once").isGreaterThan(2);
            ledger.byCustomer.values().forEach(ids -> assertThat(ids).isSorted());
        }
    }

    @Test
    void the_test_driver_runs_one_at_a_time_or_in_the_key_order_a_test_forces() {
        try (App app = App.builder("docs-concurrency-driver").setting("default_partition_count", 1).build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            List<Long> saved = new ArrayList<>();
            app.processor(orders, "ledger", o -> o.maxInFlight(64),
                    ProcessorFunction.<Order>eachRecord(order -> saved.add(order.orderId())));
            try (ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "ledger")) {
                // tag::driver[]
                driver.pipe(new Order("ada", 1), new Order("bob", 2), new Order("ada", 3));
                driver.runInKeyOrder("bob", "ada");   // bob's order first, then ada's first; then the rest in order
                // end::driver[]
                assertThat(saved).containsExactly(2L, 1L, 3L);
            }
        }
    }
}
