// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.MetricRegistryListener;
import com.codahale.metrics.Timer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.noop.NoopMeter;
import io.runnel.engine.App;
import io.runnel.engine.Distribution;
import io.runnel.engine.RunnelMetric;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Shows an app's metrics in Micrometer, named, tagged and described by {@link RunnelMetric}
 * (as {@code runnel-prometheus} names them): {@code runnel.<metric>} tagged {@code app} and
 * {@code processor}, {@code runnel.partition.<metric>} tagged {@code partition} too, and the
 * app's own {@code runnel.redis.oom}. Meters are function counters and gauges gauges, read
 * live. Timers and histograms are native Micrometer {@code Timer}s (seconds) and
 * {@code DistributionSummary}s, per processor, fed with every value the partitions' consumers
 * record ({@link Distribution#follow}); so their count and total are Micrometer's own, and
 * Micrometer's filters apply to them (Spring Boot's
 * {@code management.metrics.distribution.percentiles-histogram.runnel.processing.time=true}
 * adds the histogram's buckets). Each value fed costs a Micrometer record (tens of
 * nanoseconds, more with a histogram); a timer a filter denies
 * ({@code management.metrics.enable.runnel.latency=false}) is not fed at all. Metrics
 * registered later (processors defined after the bridge) are added as they come; closing the
 * bridge stops feeding them.
 */
final class MicrometerBridge implements MeterBinder, AutoCloseable {
    private final String app;
    private final MetricRegistry dropwizard;
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();

    MicrometerBridge(App app) {
        this.app = app.name();
        this.dropwizard = app.metrics();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        MetricRegistryListener listener = new MetricRegistryListener.Base() {
            @Override
            public void onGaugeAdded(String name, Gauge<?> gauge) {
                add(registry, name, gauge);
            }

            @Override
            public void onCounterAdded(String name, com.codahale.metrics.Counter counter) {
                add(registry, name, counter);
            }

            @Override
            public void onMeterAdded(String name, Meter meter) {
                add(registry, name, meter);
            }

            @Override
            public void onHistogramAdded(String name, Histogram histogram) {
                add(registry, name, histogram);
            }

            @Override
            public void onTimerAdded(String name, Timer timer) {
                add(registry, name, timer);
            }
        };
        dropwizard.addListener(listener); // tells of the metrics already there too
        onClose.add(() -> dropwizard.removeListener(listener));
    }

    private void add(MeterRegistry registry, String name, Metric metric) {
        RunnelMetric.series(app, name).ifPresent(series -> {
            RunnelMetric m = series.metric();
            Tags tags = tags(series.labels());
            switch (m.kind()) {
                case COUNTER -> {
                    if (metric instanceof Counting counting) {
                        FunctionCounter.builder(series.meterName(), counting, Counting::getCount)
                                .description(m.help()).tags(tags).register(registry);
                    }
                }
                case GAUGE -> {
                    if (metric instanceof Gauge<?> gauge) {
                        io.micrometer.core.instrument.Gauge
                                .builder(series.meterName(), gauge, g -> number(g.getValue()))
                                .description(m.help()).tags(tags).register(registry);
                    }
                }
                case TIMER -> {
                    if (metric instanceof Distribution d) {
                        io.micrometer.core.instrument.Timer timer = io.micrometer.core.instrument.Timer
                                .builder(series.meterName()).description(m.help()).tags(tags).register(registry);
                        TimeUnit unit = m.recordedIn();
                        follow(timer, d, (values, n) -> {
                            for (int i = 0; i < n; i++) {
                                timer.record(values[i], unit);
                            }
                        });
                    }
                }
                case SUMMARY -> {
                    if (metric instanceof Distribution d) {
                        DistributionSummary summary = DistributionSummary.builder(series.meterName())
                                .description(m.help()).tags(tags).register(registry);
                        follow(summary, d, (values, n) -> {
                            for (int i = 0; i < n; i++) {
                                summary.record(values[i]);
                            }
                        });
                    }
                }
            }
        });
    }

    /** Feeds {@code meter} from {@code distribution}, unless a filter denied it: a no-op meter is not fed at all. */
    private void follow(io.micrometer.core.instrument.Meter meter, Distribution distribution,
                        Distribution.Listener listener) {
        if (meter instanceof NoopMeter) {
            return;
        }
        distribution.follow(listener);
        onClose.add(() -> distribution.unfollow(listener));
    }

    /** Stops adding and feeding meters: the app's metrics may outlive the registry (an app shared by contexts). */
    @Override
    public void close() {
        onClose.forEach(Runnable::run);
        onClose.clear();
    }

    private static Tags tags(Map<String, String> labels) {
        Tags tags = Tags.empty();
        for (Map.Entry<String, String> label : labels.entrySet()) {
            tags = tags.and(label.getKey(), label.getValue());
        }
        return tags;
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
