// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.CsvReporter;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.ScheduledReporter;
import com.codahale.metrics.Slf4jReporter;
import com.codahale.metrics.jmx.JmxReporter;
import io.runnel.api.Misconfigured;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;

/**
 * The reporters chosen by {@code metrics_reporters}, started with an app's first worker and
 * closed with the app. Only Runnel's metrics ({@code runnel.*}) are reported: a registry
 * shared with the rest of the application keeps its own reporters.
 */
final class MetricsReporting implements Closeable {
    /** The JMX domain and the SLF4J logger name. */
    static final String DOMAIN = "runnel";

    private final List<Closeable> running = new ArrayList<>();

    private MetricsReporting() {
    }

    static MetricsReporting start(String app, MetricRegistry registry, Settings settings) {
        MetricsReporting reporting = new MetricsReporting();
        MetricFilter ours = MetricFilter.startsWith(DOMAIN + ".");
        long interval = settings.metricsInterval().toMillis();
        for (String name : settings.metricsReporters()) {
            switch (name) {
                case "jmx" -> {
                    JmxReporter jmx = JmxReporter.forRegistry(registry).inDomain(DOMAIN).filter(ours).build();
                    jmx.start();
                    reporting.running.add(jmx);
                }
                case "slf4j" -> reporting.schedule(Slf4jReporter.forRegistry(registry)
                        .outputTo(LoggerFactory.getLogger(DOMAIN + ".metrics"))
                        .filter(ours)
                        .convertRatesTo(TimeUnit.SECONDS)
                        .convertDurationsTo(TimeUnit.MILLISECONDS)
                        .build(), interval);
                case "csv" -> {
                    Path dir = Path.of(settings.metricsCsvDirectory());
                    try {
                        Files.createDirectories(dir);
                    } catch (IOException e) {
                        throw Settings.METRICS_CSV_DIRECTORY.rejected(settings.metricsCsvDirectory(),
                                "a directory that can be created and written (" + e.getMessage() + ")");
                    }
                    reporting.schedule(CsvReporter.forRegistry(registry)
                            .formatFor(Locale.ROOT)
                            .filter(ours)
                            .convertRatesTo(TimeUnit.SECONDS)
                            .convertDurationsTo(TimeUnit.MILLISECONDS)
                            .build(dir.toFile()), interval);
                }
                default -> {
                    MetricsReporterProvider provider = provider(name)
                            .orElseThrow(() -> new Misconfigured("unknown metrics reporter " + name));
                    try {
                        reporting.running.add(provider.start(app, registry, ours, settings));
                    } catch (IOException e) {
                        reporting.close();
                        throw new Misconfigured("setting metrics_reporters: reporter " + name + " could not start: "
                                + e.getMessage());
                    }
                }
            }
        }
        return reporting;
    }

    /** The reporter on the classpath with this name. */
    static Optional<MetricsReporterProvider> provider(String name) {
        for (MetricsReporterProvider p : ServiceLoader.load(MetricsReporterProvider.class)) {
            if (p.name().equalsIgnoreCase(name)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The names of the reporters on the classpath. */
    static List<String> providerNames() {
        List<String> names = new ArrayList<>();
        ServiceLoader.load(MetricsReporterProvider.class).forEach(p -> names.add(p.name()));
        return names;
    }

    private void schedule(ScheduledReporter reporter, long intervalMillis) {
        reporter.start(intervalMillis, TimeUnit.MILLISECONDS);
        running.add(reporter);
    }

    @Override
    public void close() {
        for (Closeable c : running) {
            try {
                c.close();
            } catch (IOException | RuntimeException e) {
                LoggerFactory.getLogger(MetricsReporting.class).warn("could not stop a metrics reporter", e);
            }
        }
        running.clear();
    }
}
