// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Tag("redis")
class ResetTest extends RedisBackedTest {
    private App app;

    @Test
    void reset_to_an_id_replays_everything_after_it_and_drops_pending_entries() {
        app = apps.app(TestApps.uniqueName("reset"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog first = new ProcessedLog();
        ProcessedLog[] current = {first};
        app.processor(orders, "proc", events -> events.records().forEach(o -> current[0].add(o)));
        List<String> ids = orders.sendAll(TestApps.orders(1, 10));
        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(20)).until(() -> first.count() == 10);
        worker.stop();

        app.resetProcessor("proc", ids.get(5));
        ProcessedLog second = new ProcessedLog();
        current[0] = second;
        Worker again = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> second.count() == 4);
        again.stop();
        assertThat(second.snapshot().get("key-0")).containsExactly(6, 7, 8, 9);
    }

    @Test
    void reset_rejects_unknown_processors_and_bad_ids() {
        app = apps.app(TestApps.uniqueName("reset"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> { });
        assertThatThrownBy(() -> app.resetProcessor("nope", "0")).isInstanceOf(Misconfigured.class)
                .hasMessageContaining("no processor 'nope'");
        assertThatThrownBy(() -> app.resetProcessor("proc", "yesterday")).isInstanceOf(Misconfigured.class)
                .hasMessageContaining("not a stream id");
    }
}
