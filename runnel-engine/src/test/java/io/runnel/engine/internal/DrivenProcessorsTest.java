// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.internal;

import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The door runnel-test's driver opens: the engine's side comes through it, and nothing else can take its place. */
class DrivenProcessorsTest {
    record Order(String customer, int seq) {
    }

    private static App app() {
        return App.builder("door").environment(Map.of()).redisUrl("memory://door-" + System.nanoTime())
                .setting("default_partition_count", 2).build();
    }

    @Test
    void opens_the_engines_side_of_a_processor_holding_its_partitions() {
        try (App app = app()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            app.processor(orders, "billing", events -> events.records().forEach(o -> { }));
            Instant start = Instant.parse("2026-01-01T00:00:00Z");
            try (DrivenProcessor<Order> driven = DrivenProcessors.open(app, "billing", start)) {
                assertThat(driven.stream()).isSameAs(orders);
                assertThat(driven.now()).isEqualTo(start);
                driven.stream().send(new Order("alice", 1));
                driven.runUntilIdle();
                assertThat(driven.acked()).containsExactly(new Order("alice", 1));
            }
        }
    }

    @Test
    void an_unknown_processor_is_refused_by_name() {
        try (App app = app()) {
            assertThatThrownBy(() -> DrivenProcessors.open(app, "nope", Instant.now()))
                    .isInstanceOf(Misconfigured.class).hasMessageContaining("'nope'");
        }
    }

    @Test
    void once_the_engine_installed_its_opener_no_other_is_taken() {
        try (App app = app()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            app.processor(orders, "billing", events -> { });
            DrivenProcessors.open(app, "billing", Instant.now()).close(); // the engine's side is loaded and installed

            assertThatThrownBy(() -> DrivenProcessors.install((a, p, s) -> null))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
