// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.awaitility.Awaitility.await;

/** Runs something through a delivery's context on a worker, and gives back what it refused. */
final class ContextRefusals {
    private ContextRefusals() {
    }

    /** Something done through a context, expected to throw. */
    @FunctionalInterface
    interface Attempt {
        void run(ProcessingContext context);
    }

    /**
     * Defines a processor with a context on {@code app} (which must be new, with stream names
     * free), runs one event through it, and returns the IllegalArgumentException {@code attempt}
     * threw in the handler.
     */
    static IllegalArgumentException refusal(App app, Attempt attempt) {
        Stream<TestApps.Order> orders = app.stream("orders", TestApps.Order.class, TestApps.Order::key);
        AtomicReference<IllegalArgumentException> refused = new AtomicReference<>();
        app.processor(orders, "p", ProcessorFunction.<TestApps.Order>eachRecordWithContext((order, context) -> {
            try {
                attempt.run(context);
            } catch (IllegalArgumentException e) {
                refused.set(e);
            }
        }));
        orders.send(new TestApps.Order("k", 0));
        Worker worker = app.worker().start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> refused.get() != null);
        } finally {
            worker.stop();
        }
        return refused.get();
    }
}
