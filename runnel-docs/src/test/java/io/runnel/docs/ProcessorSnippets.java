// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Middleware;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.test.ProcessorTestDriver;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The snippets of docs/concepts/processors-and-failure-policies.md and ownership-and-assignment.md. */
class ProcessorSnippets {
    record Order(String customer, long orderId) {
    }

    /** Counts what it sees, standing in for a user's middleware. */
    static final class Counting implements Middleware {
        final List<Delivery> seen = new ArrayList<>();

        @Override
        public void beforeProcessing(Delivery delivery) {
            seen.add(delivery);
        }
    }

    @Test
    void processor_options() {
        try (App app = App.builder("docs-processors").build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            Counting myMiddleware = new Counting();
            List<String> ids = new ArrayList<>();
            // tag::options[]
            app.processor(orders, "billing", o -> o
                    .exceptionPolicy(ExceptionPolicy.PARK)     // HALT (default) | QUARANTINE | IGNORE | PARK
                    .retry(5, Duration.ofMillis(100), Duration.ofSeconds(10), 2, 0.2)  // in place, before the policy
                    .deadLetters()                             // failed events go to stream "dead.orders"
                    .middleware(myMiddleware)                  // sees every delivery, success and failure
                    .prefetchCount(16).poolSize(4).gracePeriod(Duration.ofSeconds(10)),
                events -> {
                    for (Event e : events.events()) { /* raw: partition, id, fields */ }
                });
            // end::options[]
            try (ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "billing")) {
                ids.addAll(driver.pipe(new Order("ada", 1), new Order("ken", 2)));
                driver.runUntilIdle();
                assertThat(driver.acked()).hasSize(2);
            }
            assertThat(myMiddleware.seen).hasSize(2);
        }
    }

    /** Compiled, not run: it runs workers until a signal, and replays a processor. */
    @SuppressWarnings("unused")
    void workers(App app) throws Exception {
        // tag::workers[]
        app.run();                                   // all processors, until SIGTERM/SIGINT
        app.run("billing");                          // only some
        Worker w = app.worker("billing").start();    // in-process, for tests or embedding
        w.stop();                                    // drain, flush acks, release locks, leave

        app.task("warm-up", () -> cache.load());                       // once per worker start
        app.timer("report", Duration.ofMinutes(1), true, this::report); // leader only
        app.crontab("nightly", "0 3 * * *", ZoneId.of("Europe/London"), true, this::compact);
        app.crontab("every-10s", "*/10 * * * * *", ZoneId.of("UTC"), false, this::poll); // 6 fields: seconds first

        app.resetProcessor("billing", "0");          // replay from the start (run with workers stopped)
        // end::workers[]
    }

    private final Cache cache = new Cache();

    private void report() {
    }

    private void compact() {
    }

    private void poll() {
    }

    /** Stands in for an application's cache. */
    static final class Cache {
        void load() {
        }
    }

    @Test
    void an_app_on_the_in_memory_transport() {
        // tag::memory[]
        App app = App.builder("shop").redisUrl("memory://shop-test").build();   // no Redis needed
        // end::memory[]
        try (app) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            assertThat(orders.send(new Order("ada", 1))).isNotBlank();
        }
    }
}
