// SPDX-License-Identifier: Apache-2.0

package io.runnel.example.spring;

import com.codahale.metrics.Meter;
import io.runnel.engine.App;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** The Spring example runs as shipped, on the in-memory transport: orders are sent and both processors take them. */
class ShopServiceTest {
    @Test
    void the_service_sends_orders_and_both_processors_process_them() {
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ShopService.class)
                .web(WebApplicationType.NONE).run()) {
            App app = context.getBean(App.class);
            Meter printed = app.metrics().meter("runnel.example-spring.printer.processed");
            Meter batched = app.metrics().meter("runnel.example-spring.batcher.processed");
            await().atMost(Duration.ofSeconds(30)).until(() -> printed.getCount() >= 6 && batched.getCount() >= 3);
        }
    }
}
