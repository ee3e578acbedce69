// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.AbstractModule;
import io.runnel.api.Hasher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;

/** A user's Guice module replaces engine bindings. */
@Tag("redis")
class GuiceOverrideTest extends RedisBackedTest {
    private App app;

    static final class EverythingToPartitionTwo implements Hasher {
        @Override
        public String name() {
            return "two";
        }

        @Override
        public int partition(Object key, int partitionCount) {
            return 2;
        }
    }

    @Test
    void hasher_metric_registry_and_assignment_strategy_can_be_overridden() {
        MetricRegistry registry = new MetricRegistry();
        AssignmentStrategy reversed = (executors, count, previous) -> {
            Map<String, List<Integer>> m = new java.util.LinkedHashMap<>();
            List<Integer> all = new java.util.ArrayList<>();
            for (int i = count - 1; i >= 0; i--) {
                all.add(i);
            }
            m.put(executors.get(0), all);
            return m;
        };
        app = apps.app(TestApps.uniqueName("guice"), b -> b.module(new AbstractModule() {
            @Override
            protected void configure() {
                bind(Hasher.class).toInstance(new EverythingToPartitionTwo());
                bind(MetricRegistry.class).toInstance(registry);
                bind(AssignmentStrategy.class).toInstance(reversed);
            }
        }));

        Stream<Order> orders = app.stream("orders", Order.class, Order::key);

        assertThat(orders.partitionOf(new Order("anything", 1))).isEqualTo(2);
        assertThat(app.metrics()).isSameAs(registry);
        app.processor(orders, "p", e -> { });
        assertThat(registry.getMeters()).containsKey("runnel." + app.name() + ".p.processed");
        Processor<?> p = app.processor("p");
        app.membership(p).join("only");
        assertThat(app.membership(p).read().get("only").partitions()).containsExactly(3, 2, 1, 0);
    }
}
