// SPDX-License-Identifier: Apache-2.0

package io.runnel.prometheus;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metered;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Sampling;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.runnel.engine.Distribution;
import io.runnel.engine.RunnelMetric;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One app's Runnel metrics as Prometheus families, named, labelled and described by
 * {@link RunnelMetric} as the Spring Boot starter's Micrometer bridge names them: counters
 * from the meters' counts, gauges read when scraped, and for timers and summaries the true
 * cumulative {@code _count} and {@code _sum} ({@link Distribution}) with a {@code _max} gauge,
 * in seconds for timers.
 *
 * <p>{@code _max} is the largest value in the processor's recent window (the last 1,024 values
 * of each partition); Micrometer's is the largest of its last few minutes. Neither is
 * cumulative, and neither path exports quantiles: use the sums, or the Actuator path's
 * percentile histogram.
 */
final class RunnelCollector implements MultiCollector {
    private final String app;
    private final MetricRegistry registry;
    private final MetricFilter filter;

    RunnelCollector(String app, MetricRegistry registry, MetricFilter filter) {
        this.app = app;
        this.registry = registry;
        this.filter = filter;
    }

    @Override
    public MetricSnapshots collect() {
        Map<String, Family> families = new TreeMap<>();
        registry.getMetrics().forEach((name, metric) -> {
            if (filter.matches(name, metric)) {
                RunnelMetric.series(app, name).ifPresent(series -> add(families, series, metric));
            }
        });
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        families.values().forEach(f -> snapshots.add(f.snapshot()));
        return new MetricSnapshots(snapshots);
    }

    private static void add(Map<String, Family> families, RunnelMetric.Series series, Metric metric) {
        RunnelMetric m = series.metric();
        String name = series.prometheusName();
        Labels labels = Labels.of(List.copyOf(series.labels().keySet()), List.copyOf(series.labels().values()));
        switch (m.kind()) {
            case COUNTER -> {
                if (metric instanceof Metered meter) {
                    String family = name.substring(0, name.length() - "_total".length()); // the writer adds it
                    families.computeIfAbsent(family, n -> new Family(n, m.help(), Type.COUNTER))
                            .counters.add(new CounterDataPointSnapshot(meter.getCount(), labels, null, 0));
                }
            }
            case GAUGE -> {
                if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number value) {
                    families.computeIfAbsent(name, n -> new Family(n, m.help(), Type.GAUGE))
                            .gauges.add(new GaugeDataPointSnapshot(value.doubleValue(), labels, null));
                }
            }
            case TIMER, SUMMARY -> {
                // Only Runnel's own keep a true sum; a metric someone else registered under the name is left out.
                if (metric instanceof Distribution d && metric instanceof Sampling sampling) {
                    long count = d.count();
                    double sum = m.exported(d.sum());
                    double max = m.exported(sampling.getSnapshot().getMax());
                    families.computeIfAbsent(name, n -> new Family(n, m.help(), Type.SUMMARY))
                            .summaries.add(new SummaryDataPointSnapshot(count, sum, Quantiles.EMPTY, labels, null, 0));
                    families.computeIfAbsent(name + "_max", n -> new Family(n, m.help(), Type.GAUGE))
                            .gauges.add(new GaugeDataPointSnapshot(max, labels, null));
                }
            }
        }
    }

    private enum Type { COUNTER, GAUGE, SUMMARY }

    /** The data points of one name. */
    private static final class Family {
        final MetricMetadata metadata;
        final Type type;
        final List<CounterDataPointSnapshot> counters = new ArrayList<>();
        final List<GaugeDataPointSnapshot> gauges = new ArrayList<>();
        final List<SummaryDataPointSnapshot> summaries = new ArrayList<>();

        Family(String name, String help, Type type) {
            this.metadata = new MetricMetadata(name, help);
            this.type = type;
        }

        MetricSnapshot snapshot() {
            return switch (type) {
                case COUNTER -> new CounterSnapshot(metadata, counters);
                case GAUGE -> new GaugeSnapshot(metadata, gauges);
                case SUMMARY -> new SummarySnapshot(metadata, summaries);
            };
        }
    }
}
