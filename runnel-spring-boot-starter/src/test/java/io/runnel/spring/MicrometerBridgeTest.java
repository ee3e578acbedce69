// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import com.codahale.metrics.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The bridge on its own: an app on the in-memory transport, a plain Micrometer registry. */
class MicrometerBridgeTest {
    @io.runnel.api.Primitive
    record Tick(long n) {
    }

    @Test
    void timers_are_native_fed_with_each_value_and_a_denied_one_is_left_out() {
        String name = "bridge" + UUID.randomUUID().toString().substring(0, 8);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("runnel.latency"));
        try (App app = App.builder(name).environment(Map.of()).redisUrl("memory://" + name)
                .setting("default_partition_count", 2).build();
             MicrometerBridge bridge = new MicrometerBridge(app)) {
            bridge.bindTo(registry);
            Stream<Tick> ticks = app.stream("ticks", Tick.class, Tick::n);
            app.processor(ticks, "p", events -> {
            }); // registered after the bridge bound: its metrics come as they are made

            Timer rebalances = app.metrics().timer("runnel." + name + ".p.rebalances");
            rebalances.update(5, TimeUnit.MILLISECONDS);
            rebalances.update(7, TimeUnit.MILLISECONDS);

            io.micrometer.core.instrument.Timer timer = registry.get("runnel.rebalances").tags("app", name, "processor", "p")
                    .timer();
            assertThat(timer.count()).isEqualTo(2);
            assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12);
            assertThat(timer.getId().getDescription()).isEqualTo(io.runnel.engine.RunnelMetric.REBALANCES.help());
            assertThat(registry.find("runnel.processing.time").timer()).isNotNull();
            assertThat(registry.find("runnel.batch.size").summary()).isNotNull();
            assertThat(registry.find("runnel.latency").timer()).as("denied by the filter").isNull();
            assertThat(registry.find("runnel.partition.processed").tags("partition", "1").functionCounter()).isNotNull();
            assertThat(registry.find("runnel.partition.processing.time").meter()).as("timers per processor only").isNull();

            bridge.close();
            rebalances.update(9, TimeUnit.MILLISECONDS);
            assertThat(timer.count()).as("no longer fed once closed").isEqualTo(2);
        }
    }
}
