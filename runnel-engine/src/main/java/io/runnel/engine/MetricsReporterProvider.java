// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;

import java.io.Closeable;
import java.io.IOException;

/**
 * A metrics reporter a module brings: found on the classpath with
 * {@link java.util.ServiceLoader} and chosen by its {@link #name()} in the
 * {@code metrics_reporters} setting (as {@code runnel-prometheus} brings {@code prometheus}).
 * Started with an app's first worker, on that thread; closed with the app.
 */
public interface MetricsReporterProvider {

    /**
     * The name {@code metrics_reporters} chooses it by: lower case, not {@code jmx}, {@code slf4j} or {@code csv}.
     *
     * @return the reporter's name
     */
    String name();

    /**
     * Starts reporting the metrics of {@code registry} that pass {@code filter} (Runnel's own).
     * {@link RunnelMetric#series(String, String)} tells which of them are app {@code app}'s and
     * how to export them.
     *
     * @param app      the app whose first worker starts the reporter
     * @param registry the app's metric registry
     * @param filter   passes Runnel's own metrics
     * @param settings the app's settings ({@code metrics_port}, {@code metrics_host}...)
     * @return what stops it
     * @throws IOException when it cannot start (a port in use...): the worker fails to start with it
     */
    Closeable start(String app, MetricRegistry registry, MetricFilter filter, Settings settings) throws IOException;
}
