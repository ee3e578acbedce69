// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.engine.Stream;
import io.runnel.spring.RunnelProcessor;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.ResolvableType;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The Spring Boot page's service bills an order: its invoice reaches the invoices stream. */
class SpringShopTest {

    /** Reads what billing sends on, as another service would. */
    static final class InvoiceReader {
        static final LinkedBlockingQueue<SpringShop.Invoice> READ = new LinkedBlockingQueue<>();

        @RunnelProcessor(stream = "invoices", name = "reader")
        void read(SpringShop.Invoice invoice) {
            READ.add(invoice);
        }
    }

    @Test
    void an_order_sent_to_the_service_is_billed() throws Exception {
        SpringApplication application = new SpringApplication(SpringShop.class, InvoiceReader.class);
        try (ConfigurableApplicationContext context = application.run("--runnel.app=docs-spring",
                "--runnel.default-join-delay=0")) {
            @SuppressWarnings("unchecked")
            Stream<SpringShop.Order> orders = (Stream<SpringShop.Order>) context.getBeanProvider(
                    ResolvableType.forClassWithGenerics(Stream.class, SpringShop.Order.class)).getObject();

            orders.send(new SpringShop.Order(7, "ada", 12.5));

            assertThat(InvoiceReader.READ.poll(30, TimeUnit.SECONDS)).isEqualTo(new SpringShop.Invoice(7, "ada", 1250));
        }
    }
}
