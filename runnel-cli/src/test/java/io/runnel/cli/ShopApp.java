// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.ExceptionPolicy;
import io.runnel.engine.App;
import io.runnel.engine.RunnelApp;
import io.runnel.engine.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * The app the command-line tests name: orders in 4 partitions by customer; {@code printer}
 * prints and logs each order; {@code fussy} halts the worker on a negative amount.
 */
public final class ShopApp implements RunnelApp {
    private static final Logger log = LoggerFactory.getLogger(ShopApp.class);

    /** What the tests send. */
    public record Order(long orderId, String customer, double amount, Instant createdAt) {
    }

    @Override
    public App app() {
        return define(App.builder("shop"));
    }

    /** Every process (child JVMs and the test itself) defines the app alike. */
    static App define(App.Builder builder) {
        App app = builder.build();
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer, o -> o.partitionCount(4));
        app.processor(orders, "printer", events -> {
            for (Order order : events.records()) {
                System.out.println("printer: order " + order.orderId() + " of " + order.customer());
                log.info("printed order {}", order.orderId());
            }
        });
        app.processor(orders, "fussy", o -> o.exceptionPolicy(ExceptionPolicy.HALT), events -> {
            for (Order order : events.records()) {
                if (order.amount() < 0) {
                    throw new IllegalStateException("negative amount in order " + order.orderId());
                }
            }
        });
        return app;
    }
}
