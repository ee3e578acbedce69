// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.engine.App;
import io.runnel.test.ProcessorTestDriver;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The getting-started app does what its page says: the timer sends an order a second, the printer takes it. */
class ShopTest {

    @Test
    void the_timer_sends_an_order_each_second_and_the_printer_acknowledges_it() {
        // This module's tests run with RUNNEL_REDIS_URL=memory://docs (see its POM), as a user's would with a Redis.
        try (App app = new Shop().app();
             ProcessorTestDriver<Shop.Order> printer = ProcessorTestDriver.of(app, "printer")) {
            printer.advanceTime(Duration.ofSeconds(3));
            printer.runUntilIdle();

            assertThat(printer.acked()).hasSize(3).allMatch(o -> o.customer().equals("ada"));
        }
    }
}
