// SPDX-License-Identifier: Apache-2.0

package io.runnel.example;

import io.runnel.engine.App;
import io.runnel.engine.RunnelApp;
import io.runnel.engine.Stream;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small shop: a timer sends a few orders a second to the {@code orders} stream; the
 * {@code printer} processor prints each order and the {@code batcher} processor prints the
 * size of each batch it takes. Run it with the command line (see the README):
 *
 * <pre>{@code
 * runnel-cli/bin/runnel --classpath runnel-example/target/classes worker io.runnel.example.ShopExample
 * }</pre>
 *
 * <p>Without {@code RUNNEL_REDIS_URL} it runs on the embedded in-memory transport (one
 * process, nothing to install); with it, on that Redis, where several workers share the
 * partitions and only the leader's timer sends.
 */
public final class ShopExample implements RunnelApp {
    private static final String[] CUSTOMERS = {"ada", "grace", "linus", "barbara", "ken", "margaret"};

    /** One order. */
    public record Order(long orderId, String customer, double amount, Instant createdAt) {
    }

    @Override
    public App app() {
        App.Builder builder = App.builder("example");
        String redisUrl = System.getenv("RUNNEL_REDIS_URL");
        if (redisUrl == null || redisUrl.isBlank()) {
            builder.redisUrl("memory://example");
        }
        App app = builder.build();
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer, o -> o.partitionCount(4));

        app.processor(orders, "printer", events -> {
            for (Order order : events.records()) {
                System.out.printf(Locale.ROOT, "printer: order %d from %s, %.2f (partition %d)%n",
                        order.orderId(), order.customer(), order.amount(), events.partition());
            }
        });

        app.processor(orders, "batcher", events -> {
            for (List<Order> batch : events.take(10, Duration.ofSeconds(2)).records()) {
                System.out.printf(Locale.ROOT, "batcher: batch of %d order(s) (partition %d)%n",
                        batch.size(), events.partition());
            }
        });

        // Leader only: with several workers on one Redis, the orders are sent once.
        AtomicLong nextId = new AtomicLong(1);
        app.timer("send-orders", Duration.ofSeconds(1), true, () -> {
            List<Order> batch = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                batch.add(new Order(nextId.getAndIncrement(), CUSTOMERS[random.nextInt(CUSTOMERS.length)],
                        Math.round(random.nextDouble(1, 100) * 100) / 100.0, Instant.now()));
            }
            orders.sendAll(batch);
        });
        return app;
    }
}
