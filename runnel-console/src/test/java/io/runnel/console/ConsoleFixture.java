// SPDX-License-Identifier: Apache-2.0

package io.runnel.console;

import io.runnel.api.ExceptionPolicy;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The app the console tests look at: stream "orders" (4 partitions) with processor "billing"
 * (orders of customer "bad" fail and go to dead letters) and processor "shipping" (orders of
 * customer "stuck" fail and park their key), and a worker running both.
 */
final class ConsoleFixture implements AutoCloseable {
    /** An order; the customer decides the partition. */
    record Order(String customer, int seq) {
    }

    static final int CUSTOMERS = 12;
    static final int PER_CUSTOMER = 5;
    static final int BAD = 3;
    private static final AtomicInteger NEXT = new AtomicInteger();

    final App app;
    final Stream<Order> orders;
    Worker worker;

    ConsoleFixture(String redisUrl) {
        this(redisUrl, 0);
    }

    /** With {@code workMillis} of work per order in "billing", so that its lag shows for a while. */
    ConsoleFixture(String redisUrl, long workMillis) {
        this(redisUrl, workMillis, null);
    }

    /**
     * As {@link #ConsoleFixture(String, long)}, with, when {@code release} is given, processor
     * "packing", whose handler holds an order of customer "blocker" until {@code release},
     * ignoring its interrupt: past its 1 s max_processing_time, its partition is stuck.
     */
    ConsoleFixture(String redisUrl, long workMillis, java.util.concurrent.CountDownLatch release) {
        String name = "console" + NEXT.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100000, 36);
        app = App.builder(name).environment(java.util.Map.of()).redisUrl(redisUrl)
                .setting("default_partition_count", 4)
                .setting("default_join_delay", "0")
                .setting("default_assignment_sleep", "100ms")
                .setting("default_read_timeout", "200")
                .setting("default_lock_expiry", "3")
                .setting("default_grace_period", "1")
                .setting("console_port", 0)
                .build();
        orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "billing", o -> o.deadLetters().exceptionPolicy(ExceptionPolicy.IGNORE),
                ProcessorFunction.<Order>eachRecord(order -> {
                    if (workMillis > 0) {
                        Thread.sleep(workMillis);
                    }
                    if (order.customer().equals("bad")) {
                        throw new IllegalStateException("card declined for order " + order.seq());
                    }
                }));
        if (release != null) {
            app.processor(orders, "packing", o -> o.maxProcessingTime(Duration.ofSeconds(1)),
                    ProcessorFunction.<Order>eachRecord(order -> {
                        while (order.customer().equals("blocker") && release.getCount() > 0) {
                            try {
                                release.await();
                            } catch (InterruptedException ignored) {
                                // a handler stuck in a call that ignores interrupts
                            }
                        }
                    }));
        }
        app.processor(orders, "shipping", o -> o.exceptionPolicy(ExceptionPolicy.PARK),
                ProcessorFunction.<Order>eachRecord(order -> {
                    if (order.customer().startsWith("stuck")) {
                        throw new IllegalArgumentException("no address for order " + order.seq());
                    }
                }));
    }

    /** Starts the worker and sends the workload: every customer's orders, BAD of them failing. */
    ConsoleFixture run() {
        worker = app.worker().start();
        List<Order> all = new ArrayList<>();
        for (int seq = 0; seq < PER_CUSTOMER; seq++) {
            for (int c = 0; c < CUSTOMERS; c++) {
                all.add(new Order("customer-" + c, seq));
            }
        }
        for (int seq = 0; seq < BAD; seq++) {
            all.add(new Order("bad", seq));
        }
        all.add(new Order("stuck", 0));
        all.add(new Order("stuck-too", 0));
        orders.sendAll(all);
        return this;
    }

    static Duration patience() {
        return Duration.ofSeconds(60);
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.stop();
        }
        app.close();
    }
}
