// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

// tag::shop[]
import io.runnel.engine.App;
import io.runnel.engine.RunnelApp;
import io.runnel.engine.Stream;
import java.time.Duration;

public class Shop implements RunnelApp {
    record Order(long orderId, String customer, double amount) {}        // events are plain records

    @Override
    public App app() {
        App app = App.builder("shop").build();                // Redis from RUNNEL_REDIS_URL, else 127.0.0.1:6379
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "printer", events -> {
            for (Order order : events.records()) {             // acknowledged when the loop asks for the next
                System.out.println("partition " + events.partition() + ": " + order);
            }
        });
        app.timer("send", Duration.ofSeconds(1), true, () -> orders.send(new Order(1, "ada", 9.99)));
        return app;
    }

    public static void main(String[] args) throws InterruptedException {
        new Shop().app().run();                                // a worker; stops cleanly on SIGTERM and Ctrl-C
    }
}
// end::shop[]
