// SPDX-License-Identifier: Apache-2.0

package io.runnel.prometheus;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.CustomLabelMapper;
import io.prometheus.metrics.instrumentation.dropwizard5.labels.MapperConfig;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.runnel.engine.MetricsReporterProvider;
import io.runnel.engine.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics_reporters=prometheus}: serves the {@code runnel.*} metrics at
 * {@code http://<host>:<metrics_port>/metrics} in the Prometheus text format, through the
 * Prometheus Java client's HTTP exporter and its Dropwizard bridge. The app, processor and
 * partition in a Dropwizard name become labels:
 * {@code runnel.shop.billing.processed} is {@code runnel_processed_total{app="shop",processor="billing"}},
 * and {@code runnel.shop.billing.partition.3.processed} is
 * {@code runnel_partition_processed_total{app="shop",processor="billing",partition="3"}}; the
 * app's own {@code runnel.shop.redis-oom} is {@code runnel_redis_oom_total{app="shop"}}.
 */
public final class PrometheusReporter implements MetricsReporterProvider {
    private static final Logger log = LoggerFactory.getLogger(PrometheusReporter.class);

    /**
     * Runnel's names: {@code runnel.<app>.<processor>[.partition.<n>].<metric>}, and the app's
     * own {@code runnel.<app>.<metric>}; the first match wins.
     */
    static final List<MapperConfig> NAMES = List.of(
            new MapperConfig("runnel.*.*.partition.*.*", "runnel_partition_${3}",
                    Map.of("app", "${0}", "processor", "${1}", "partition", "${2}")),
            new MapperConfig("runnel.*.*.*", "runnel_${2}", Map.of("app", "${0}", "processor", "${1}")),
            new MapperConfig("runnel.*.*", "runnel_${1}", Map.of("app", "${0}")));

    @Override
    public String name() {
        return "prometheus";
    }

    @Override
    public Closeable start(MetricRegistry registry, MetricFilter filter, Settings settings) throws IOException {
        PrometheusRegistry prometheus = new PrometheusRegistry();
        prometheus.register(new ScopedExports(registry, filter, new CustomLabelMapper(NAMES)));
        HTTPServer server = HTTPServer.builder().port(settings.metricsPort()).registry(prometheus).buildAndStart();
        log.info("serving Prometheus metrics on port {} at /metrics", server.getPort());
        return server;
    }
}
