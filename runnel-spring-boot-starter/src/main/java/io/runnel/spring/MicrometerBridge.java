// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.MetricRegistryListener;
import com.codahale.metrics.Timer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.concurrent.TimeUnit;

/**
 * Shows the app's Dropwizard metrics ({@code runnel.<app>.<processor>[.partition.<n>].<metric>})
 * in Micrometer, read live: {@code runnel.<metric>} tagged with app and processor, and
 * {@code runnel.partition.<metric>} tagged with the partition too. Meters and counters are
 * function counters, gauges gauges, timers function timers (count and mean), histograms a
 * gauge of their 99th percentile. Metrics registered later (processors defined after the
 * bridge) are added as they come.
 */
final class MicrometerBridge implements MeterBinder {
    private final MetricRegistry dropwizard;

    MicrometerBridge(MetricRegistry dropwizard) {
        this.dropwizard = dropwizard;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        dropwizard.addListener(new MetricRegistryListener.Base() {
            @Override
            public void onGaugeAdded(String name, Gauge<?> gauge) {
                Named n = Named.of(name);
                if (n != null) {
                    io.micrometer.core.instrument.Gauge.builder(n.name(), gauge, g -> number(g.getValue()))
                            .tags(n.tags()).register(registry);
                }
            }

            @Override
            public void onCounterAdded(String name, Counter counter) {
                Named n = Named.of(name);
                if (n != null) {
                    FunctionCounter.builder(n.name(), counter, Counter::getCount).tags(n.tags()).register(registry);
                }
            }

            @Override
            public void onMeterAdded(String name, Meter meter) {
                Named n = Named.of(name);
                if (n != null) {
                    FunctionCounter.builder(n.name(), meter, Meter::getCount).tags(n.tags()).register(registry);
                }
            }

            @Override
            public void onHistogramAdded(String name, Histogram histogram) {
                Named n = Named.of(name);
                if (n != null) {
                    io.micrometer.core.instrument.Gauge.builder(n.name() + ".p99", histogram,
                            h -> h.getSnapshot().get99thPercentile()).tags(n.tags()).register(registry);
                }
            }

            @Override
            public void onTimerAdded(String name, Timer timer) {
                Named n = Named.of(name);
                if (n != null) {
                    FunctionTimer.builder(n.name(), timer, Timer::getCount,
                                    t -> t.getSnapshot().getMean() * t.getCount(), TimeUnit.NANOSECONDS)
                            .tags(n.tags()).register(registry);
                }
            }
        });
    }

    private static double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A Runnel metric's Micrometer name and tags; null for a name of another shape. */
    record Named(String name, Tags tags) {
        static Named of(String dropwizardName) {
            String[] parts = dropwizardName.split("\\.");
            if (parts.length == 4 && parts[0].equals("runnel")) {
                return new Named("runnel." + parts[3], Tags.of("app", parts[1], "processor", parts[2]));
            }
            if (parts.length == 6 && parts[0].equals("runnel") && parts[3].equals("partition")) {
                return new Named("runnel.partition." + parts[5],
                        Tags.of("app", parts[1], "processor", parts[2], "partition", parts[4]));
            }
            return null;
        }
    }
}
