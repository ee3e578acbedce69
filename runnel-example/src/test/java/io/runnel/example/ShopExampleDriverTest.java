// SPDX-License-Identifier: Apache-2.0

package io.runnel.example;

import io.runnel.engine.App;
import io.runnel.example.ShopExample.Order;
import io.runnel.test.ProcessorTestDriver;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The test driver page's example (docs/integrations/testing.md): the shop's timer and batcher, on the test's thread. */
// tag::driver[]
class ShopExampleDriverTest {
    @Test
    void the_timer_sends_three_orders_a_second_and_the_batcher_takes_them_all() {
        App app = new ShopExample().app();                  // memory:// unless RUNNEL_REDIS_URL is set
        try (app; ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "batcher")) {
            driver.advanceTime(Duration.ofSeconds(3));      // the 1 s timer fires three times, on this thread
            assertThat(driver.pending()).hasSize(9);

            driver.runUntilIdle();

            assertThat(driver.acked()).hasSize(9);
            assertThat(driver.pending()).isEmpty();
        }
    }
}
// end::driver[]
