// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.api.ExceptionPolicy;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.test.ProcessorTestDriver;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The test driver's example in docs/integrations/testing.md: a processor that fails on some events. */
class BillingDriverTest {
    record Order(long orderId, String customer, double amount, Instant at) {
    }

    record Invoice(long orderId, long cents) {
    }

    /** What the billing processor throws for an order it cannot charge. */
    static final class CardDeclined extends RuntimeException {
        CardDeclined(String message) {
            super(message);
        }
    }

    @Test
    void a_declined_card_goes_to_dead_letters_and_the_other_order_is_invoiced() {
        try (App app = App.builder("docs-billing").build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            Stream<Invoice> invoices = app.stream("invoices", Invoice.class, Invoice::orderId);
            app.processor(orders, "billing", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(), events -> {
                for (Order order : events.records()) {
                    if (order.amount() < 0) {
                        throw new CardDeclined("order " + order.orderId());
                    }
                    invoices.send(new Invoice(order.orderId(), Math.round(order.amount() * 100)));
                }
            });
            try (ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "billing")) {
                Instant now = driver.now();
                // tag::failing[]
                driver.pipe(new Order(1, "ada", 12.5, now), new Order(2, "ken", -1, now));
                driver.runUntilIdle();
                assertThat(driver.deadLetters()).singleElement()
                        .satisfies(d -> assertThat(d.error()).contains("CardDeclined"));
                assertThat(driver.poisoned()).isEmpty();                   // QUARANTINE would show the partition here
                assertThat(driver.sentTo(invoices)).hasSize(1);            // what it sent on
                // end::failing[]
            }
        }
    }
}
