// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The catalog of exported metrics: names, labels and units, and that it covers what the engine registers. */
class RunnelMetricTest {
    @io.runnel.api.Primitive
    record Tick(long n) {
    }

    @Test
    void a_dropwizard_name_is_a_series_with_its_labels() {
        RunnelMetric.Series partition = RunnelMetric.series("shop.eu", "runnel.shop.eu.billing.v2.partition.3.processed")
                .orElseThrow();
        assertThat(partition.metric()).isEqualTo(RunnelMetric.PROCESSED);
        assertThat(partition.labels()).containsExactly(Map.entry("app", "shop.eu"), Map.entry("processor", "billing.v2"),
                Map.entry("partition", "3"));
        assertThat(partition.meterName()).isEqualTo("runnel.partition.processed");
        assertThat(partition.prometheusName()).isEqualTo("runnel_partition_processed_total");

        RunnelMetric.Series time = RunnelMetric.series("shop", "runnel.shop.billing.processing-time").orElseThrow();
        assertThat(time.meterName()).isEqualTo("runnel.processing.time");
        assertThat(time.prometheusName()).isEqualTo("runnel_processing_time_seconds");
        assertThat(time.labels()).containsExactly(Map.entry("app", "shop"), Map.entry("processor", "billing"));

        RunnelMetric.Series latency = RunnelMetric.series("shop", "runnel.shop.billing.latency-ms").orElseThrow();
        assertThat(latency.prometheusName()).isEqualTo("runnel_latency_seconds");
        assertThat(RunnelMetric.LATENCY.exported(1_500)).isEqualTo(1.5);
        assertThat(RunnelMetric.PROCESSING_TIME.exported(2_500_000)).isEqualTo(0.0025);
        assertThat(RunnelMetric.BATCH_SIZE.exported(7)).isEqualTo(7);

        RunnelMetric.Series oom = RunnelMetric.series("shop", "runnel.shop.redis-oom").orElseThrow();
        assertThat(oom.prometheusName()).isEqualTo("runnel_redis_oom_total");
        assertThat(oom.labels()).containsExactly(Map.entry("app", "shop"));
    }

    @Test
    void other_apps_other_names_and_a_partitions_timers_are_not_exported() {
        assertThat(RunnelMetric.series("shop", "runnel.other.billing.processed")).isEmpty();
        assertThat(RunnelMetric.series("shop", "runnel.shop.billing.unknown-thing")).isEmpty();
        assertThat(RunnelMetric.series("shop", "jvm.memory.used")).isEmpty();
        assertThat(RunnelMetric.series("shop", "runnel.shop.billing.partition.0.processing-time")).isEmpty();
        assertThat(RunnelMetric.series("shop", "runnel.shop.billing.partition.0.batch-size")).isEmpty();
        assertThat(RunnelMetric.series("shop", "runnel.shop.billing.partition.0.owned-partitions")).isEmpty();
    }

    @Test
    void every_metric_the_engine_registers_is_in_the_catalog_with_the_kind_it_is_registered_as() {
        String name = "cat" + UUID.randomUUID().toString().substring(0, 8);
        MetricRegistry registry = new MetricRegistry();
        try (App app = App.builder(name).environment(Map.of()).redisUrl("memory://" + name)
                .setting("default_partition_count", 2).build()) {
            Stream<Tick> stream = app.stream("s", Tick.class, Tick::n);
            new ProcessorMetrics(registry, Clock.systemUTC(), name, stream.keys(), "p", app::transport);
        }
        registry.getMetrics().forEach((dropwizard, metric) -> {
            Optional<RunnelMetric.Series> series = RunnelMetric.series(name, dropwizard);
            if (dropwizard.contains(".partition.") && (metric instanceof Timer || metric instanceof Histogram)) {
                assertThat(series).as(dropwizard).isEmpty();
                return;
            }
            assertThat(series).as(dropwizard).isPresent();
            assertThat(kindOf(metric, series.get().metric())).as(dropwizard).isEqualTo(series.get().metric().kind());
            if (series.get().metric().kind() == RunnelMetric.Kind.TIMER
                    || series.get().metric().kind() == RunnelMetric.Kind.SUMMARY) {
                assertThat(metric).as(dropwizard + " keeps a true sum").isInstanceOf(Distribution.class);
            }
        });
        assertThat(registry.getMetrics()).containsKey("runnel." + name + ".redis-oom");
    }

    /** What a Dropwizard metric is exported as: a histogram of durations (latency-ms) is a timer. */
    private static RunnelMetric.Kind kindOf(Metric metric, RunnelMetric catalogued) {
        return switch (metric) {
            case Meter ignored -> RunnelMetric.Kind.COUNTER;
            case Gauge<?> ignored -> RunnelMetric.Kind.GAUGE;
            case Timer ignored -> RunnelMetric.Kind.TIMER;
            case Histogram ignored -> catalogued.recordedIn() != null ? RunnelMetric.Kind.TIMER : RunnelMetric.Kind.SUMMARY;
            default -> null;
        };
    }

    @Test
    void every_metric_has_help_and_distinct_names() {
        for (RunnelMetric m : RunnelMetric.values()) {
            assertThat(m.help()).as(m.name()).isNotBlank().doesNotContain("|").doesNotContain("\n");
            for (RunnelMetric.Scope at : m.exportedAt()) {
                assertThat(m.prometheusName(at)).matches("runnel_[a-z_]+");
            }
        }
        assertThat(RunnelMetric.values()).extracting(RunnelMetric::dropwizardName).doesNotHaveDuplicates();
        assertThat(RunnelMetric.values()).extracting(m -> m.meterName(RunnelMetric.Scope.PROCESSOR)).doesNotHaveDuplicates();
    }
}
