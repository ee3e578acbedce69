// SPDX-License-Identifier: Apache-2.0

package io.runnel.prometheus;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Dropwizard bridge, one scope at a time, with the scopes' series merged under shared
 * names. A scope is a processor or one of its partitions ({@code runnel.<app>.<processor>}
 * or {@code runnel.<app>.<processor>.partition.<n>}): within one, every metric name is
 * different; across them, the label mapper gives the same metric the same Prometheus name
 * with other labels. The bridge of client_java 1.4 refuses to put two Dropwizard metrics
 * under one name in a single collection ("duplicate metric name"), so each scope is
 * collected on its own and the data points of equal names are joined here.
 */
final class ScopedExports implements MultiCollector {
    private final MetricRegistry registry;
    private final MetricFilter filter;
    private final CustomLabelMapper names;

    ScopedExports(MetricRegistry registry, MetricFilter filter, CustomLabelMapper names) {
        this.registry = registry;
        this.filter = filter;
        this.names = names;
    }

    @Override
    public MetricSnapshots collect() {
        TreeSet<String> scopes = new TreeSet<>();
        registry.getMetrics().forEach((name, metric) -> {
            if (filter.matches(name, metric) && name.lastIndexOf('.') > 0) {
                scopes.add(name.substring(0, name.lastIndexOf('.')));
            }
        });
        Map<String, List<MetricSnapshot>> byName = new LinkedHashMap<>();
        for (String scope : scopes) {
            MetricFilter inScope = (name, metric) -> filter.matches(name, metric)
                    && name.startsWith(scope) && name.lastIndexOf('.') == scope.length();
            for (MetricSnapshot s : new DropwizardExports(registry, inScope, names).collect()) {
                byName.computeIfAbsent(s.getMetadata().getPrometheusName(), n -> new ArrayList<>()).add(s);
            }
        }
        List<MetricSnapshot> merged = new ArrayList<>(byName.size());
        byName.values().forEach(same -> merged.add(merge(same)));
        return new MetricSnapshots(merged);
    }

    /** One snapshot with the data points of all (of one type, as the bridge makes a name's kind). */
    private static MetricSnapshot merge(List<MetricSnapshot> same) {
        MetricSnapshot first = same.get(0);
        if (same.size() == 1) {
            return first;
        }
        return switch (first) {
            case CounterSnapshot c -> new CounterSnapshot(c.getMetadata(), points(same, CounterSnapshot.CounterDataPointSnapshot.class));
            case GaugeSnapshot g -> new GaugeSnapshot(g.getMetadata(), points(same, GaugeSnapshot.GaugeDataPointSnapshot.class));
            case SummarySnapshot s -> new SummarySnapshot(s.getMetadata(), points(same, SummarySnapshot.SummaryDataPointSnapshot.class));
            default -> throw new IllegalStateException("cannot merge " + first.getClass().getSimpleName() + " "
                    + first.getMetadata().getName());
        };
    }

    private static <P extends DataPointSnapshot> List<P> points(List<MetricSnapshot> snapshots, Class<P> type) {
        List<P> all = new ArrayList<>();
        for (MetricSnapshot s : snapshots) {
            for (DataPointSnapshot p : s.getDataPoints()) {
                all.add(type.cast(p));
            }
        }
        return all;
    }
}
