// SPDX-License-Identifier: Apache-2.0

package io.runnel.example.spring;

import io.runnel.engine.App;
import io.runnel.engine.Events;
import io.runnel.engine.Stream;
import io.runnel.spring.RunnelProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The example shop as a Spring Boot service: every second a scheduled method sends three
 * orders; {@code printer} prints each one, {@code batcher} the size of each batch it takes.
 * Settings come from {@code application.properties} ({@code runnel.*}): the in-memory
 * transport unless {@code RUNNEL_REDIS_URL} points at a Redis.
 */
@SpringBootApplication
@EnableScheduling
public class ShopService {
    private static final String[] CUSTOMERS = {"ada", "grace", "linus", "barbara", "ken", "margaret"};
    private final AtomicLong nextId = new AtomicLong(1);

    /** One order. */
    public record Order(long orderId, String customer, double amount, Instant createdAt) {
    }

    public static void main(String[] args) {
        SpringApplication.run(ShopService.class, args);
    }

    /** The stream, a bean to inject wherever orders are sent. */
    @Bean
    Stream<Order> orders(App app) {
        return app.stream("orders", Order.class, Order::customer, o -> o.partitionCount(4));
    }

    /** One order at a time. */
    @RunnelProcessor(stream = "orders", name = "printer")
    void print(Order order) {
        System.out.printf(Locale.ROOT, "printer: order %d from %s, %.2f%n", order.orderId(), order.customer(),
                order.amount());
    }

    /** The whole loop: batches of up to 10 orders, or what came within 2 s. */
    @RunnelProcessor(stream = "orders", name = "batcher")
    void batch(Events<Order> events) {
        for (List<Order> batch : events.take(10, Duration.ofSeconds(2)).records()) {
            System.out.printf(Locale.ROOT, "batcher: batch of %d order(s) (partition %d)%n", batch.size(),
                    events.partition());
        }
    }

    @Bean
    Sender sender(Stream<Order> orders) {
        return new Sender(orders, nextId);
    }

    /** Sends three orders a second. */
    static final class Sender {
        private final Stream<Order> orders;
        private final AtomicLong nextId;

        Sender(Stream<Order> orders, AtomicLong nextId) {
            this.orders = orders;
            this.nextId = nextId;
        }

        @Scheduled(fixedRate = 1000)
        void send() {
            List<Order> batch = new ArrayList<>();
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < 3; i++) {
                batch.add(new Order(nextId.getAndIncrement(), CUSTOMERS[random.nextInt(CUSTOMERS.length)],
                        Math.round(random.nextDouble(1, 100) * 100) / 100.0, Instant.now()));
            }
            orders.sendAll(batch);
        }
    }
}
