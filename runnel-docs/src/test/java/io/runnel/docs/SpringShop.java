// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.spring.RunnelProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The Spring Boot page's service; {@code SpringShopTest} starts it. */
// tag::spring[]
@SpringBootApplication
public class SpringShop {
    record Order(long orderId, String customer, double amount) {}
    record Invoice(long orderId, String customer, long cents) {}

    public static void main(String[] args) {
        SpringApplication.run(SpringShop.class, args);
    }

    @Bean                                           // streams are beans: inject them to send
    Stream<Order> orders(App app) {
        return app.stream("orders", Order.class, Order::customer);
    }

    @Bean
    Stream<Invoice> invoices(App app) {
        return app.stream("invoices", Invoice.class, Invoice::customer);
    }

    @RunnelProcessor(stream = "orders", name = "billing", exceptionPolicy = RunnelProcessor.Policy.PARK,
                     retryAttempts = 3, maxProcessingTime = "${billing.timeout:30s}", sendTo = "invoices")
    Invoice bill(Order order) {                     // or take Events<Order> for the whole loop
        return new Invoice(order.orderId(), order.customer(), Math.round(order.amount() * 100));
    }
}
// end::spring[]
