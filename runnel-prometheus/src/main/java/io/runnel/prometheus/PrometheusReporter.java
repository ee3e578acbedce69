// SPDX-License-Identifier: Apache-2.0

package io.runnel.prometheus;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.runnel.engine.MetricsReporterProvider;
import io.runnel.engine.RunnelMetric;
import io.runnel.engine.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * {@code metrics_reporters=prometheus}: serves the app's {@code runnel.*} metrics at
 * {@code http://<metrics_host>:<metrics_port>/metrics} (by default {@code 127.0.0.1:9464},
 * this machine only) in the Prometheus text format, through the Prometheus Java client's
 * HTTP exporter. Names, labels, units and help text are {@link RunnelMetric}'s, the same as
 * the Spring Boot starter's Actuator endpoint shows: {@code runnel.shop.billing.processed} is
 * {@code runnel_processed_total{app="shop",processor="billing"}},
 * {@code runnel.shop.billing.partition.3.processed} is
 * {@code runnel_partition_processed_total{app="shop",partition="3",processor="billing"}}, the
 * processing time is {@code runnel_processing_time_seconds} ({@code _count}, {@code _sum},
 * {@code _max}) and the app's own {@code runnel.shop.redis-oom} is
 * {@code runnel_redis_oom_total{app="shop"}}.
 */
public final class PrometheusReporter implements MetricsReporterProvider {
    private static final Logger log = LoggerFactory.getLogger(PrometheusReporter.class);

    /** The constructor {@link java.util.ServiceLoader} calls. */
    public PrometheusReporter() {
    }

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public Closeable start(String app, MetricRegistry registry, MetricFilter filter, Settings settings)
            throws IOException {
        PrometheusRegistry prometheus = new PrometheusRegistry();
        prometheus.register(new RunnelCollector(app, registry, filter));
        String host = settings.metricsHost();
        HTTPServer server;
        try {
            server = HTTPServer.builder().inetAddress(InetAddress.getByName(host)).port(settings.metricsPort())
                    .registry(prometheus).buildAndStart();
        } catch (IOException e) {
            throw new IOException("cannot listen on " + host + " port " + settings.metricsPort()
                    + " (settings metrics_host, metrics_port): " + e, e);
        }
        InetAddress bound = InetAddress.getByName(host);
        String shown = bound instanceof Inet6Address ? "[" + bound.getHostAddress() + "]" : bound.getHostAddress();
        log.info("serving Prometheus metrics at http://{}:{}/metrics{}", shown, server.getPort(),
                bound.isLoopbackAddress() ? " (this machine only: set metrics_host to be scraped from elsewhere)" : "");
        return server;
    }
}
