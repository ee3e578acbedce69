// SPDX-License-Identifier: Apache-2.0

package io.runnel.prometheus;

import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import io.runnel.engine.RunnelMetric;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A worker with {@code metrics_reporters=prometheus}, scraped over HTTP after a known workload. */
@Tag("redis")
class PrometheusReporterTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    record Order(String customer, int seq) {
    }

    /** One sample of the text format: name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private static List<Sample> scrape(int port) throws Exception {
        return parse(text("127.0.0.1", port));
    }

    private static String text(String host, int port) throws Exception {
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return response.body();
    }

    private static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as("a sample line: %s", line).isTrue();
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(2) != null) {
                Matcher l = LABEL.matcher(m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(3))));
        }
        return samples;
    }

    private static double value(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .mapToDouble(Sample::value).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + labels + " in " + samples.stream()
                        .filter(s -> s.name().startsWith("runnel_")).map(s -> s.name() + s.labels()).toList()));
    }

    /** A port nothing listens on now (another process could take it first; unlikely in a test run). */
    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void the_runnel_metrics_are_served_with_app_processor_and_partition_labels() throws Exception {
        String name = "prom" + UUID.randomUUID().toString().substring(0, 8);
        int port = freePort();
        try (App app = App.builder(name).redisUrl(redis.url()).setting("metrics_reporters", "prometheus")
                .setting("metrics_port", port).setting("default_partition_count", 2).setting("default_join_delay", 0)
                .build()) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
            app.processor(orders, "billing", events -> {
                for (Order ignored : events.records()) {
                    // counted by the processed meter
                }
            });
            List<Order> sent = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                sent.add(new Order("customer-" + (i % 5), i));
            }
            orders.sendAll(sent);
            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    app.metrics().meter("runnel." + name + ".billing.acked").getCount() == 30);

            String text = text("127.0.0.1", port);
            List<Sample> samples = parse(text);
            worker.stop();

            Map<String, String> processor = Map.of("app", name, "processor", "billing");
            assertThat(value(samples, "runnel_processed_total", processor)).isEqualTo(30);
            assertThat(value(samples, "runnel_acked_total", processor)).isEqualTo(30);
            assertThat(value(samples, "runnel_owned_partitions", processor)).isEqualTo(2);
            double perPartition = 0;
            for (String p : List.of("0", "1")) {
                Map<String, String> labels = new LinkedHashMap<>(processor);
                labels.put("partition", p);
                perPartition += value(samples, "runnel_partition_processed_total", labels);
            }
            assertThat(perPartition).isEqualTo(30);
            assertThat(value(samples, "runnel_redis_oom_total", Map.of("app", name))).isZero();
            assertThat(samples).filteredOn(s -> s.name().startsWith("runnel") && !s.name().startsWith("runnel_redis_oom"))
                    .allSatisfy(s -> assertThat(s.labels()).containsEntry("app", name).containsKey("processor"));

            // Timers in seconds, with a true count and sum; per processor only.
            assertThat(value(samples, "runnel_processing_time_seconds_count", processor)).isEqualTo(30);
            assertThat(value(samples, "runnel_processing_time_seconds_sum", processor)).isPositive().isLessThan(30);
            assertThat(value(samples, "runnel_latency_seconds_count", processor)).isEqualTo(30);
            assertThat(value(samples, "runnel_batch_size_sum", processor)).isEqualTo(30);
            assertThat(samples).noneMatch(s -> s.name().startsWith("runnel_partition_processing_time"));
            // Every family is described, with the catalog's words.
            for (RunnelMetric m : RunnelMetric.values()) {
                for (RunnelMetric.Scope at : m.exportedAt()) {
                    assertThat(text).contains("# HELP " + m.prometheusName(at) + " " + m.help() + "\n");
                }
            }
            assertThat(text).doesNotContainPattern("# HELP \\S+ *\n");
        }
    }

    @Test
    void the_exporter_listens_on_this_machine_only_unless_metrics_host_says_otherwise() throws Exception {
        // 127.0.0.2 is this machine too, but a socket bound to 127.0.0.1 does not answer there: a
        // stand-in for another host's scrape that never leaves the loopback interface.
        int port = freePort();
        try (App app = App.builder("promlocal").redisUrl(redis.url()).setting("metrics_reporters", "prometheus")
                .setting("metrics_port", port).build()) {
            app.stream("orders", Order.class, Order::customer);
            Worker worker = app.worker().start();
            assertThat(text("127.0.0.1", port)).contains("runnel_redis_oom_total{app=\"promlocal\"} 0");
            assertThatThrownBy(() -> text("127.0.0.2", port)).isInstanceOf(java.net.ConnectException.class);
            worker.stop();
        }
        int anyPort = freePort();
        try (App app = App.builder("promall").redisUrl(redis.url()).setting("metrics_reporters", "prometheus")
                .setting("metrics_port", anyPort).setting("metrics_host", "0.0.0.0").build()) {
            app.stream("orders", Order.class, Order::customer);
            Worker worker = app.worker().start();
            assertThat(text("127.0.0.2", anyPort)).contains("runnel_redis_oom_total{app=\"promall\"} 0");
            worker.stop();
        }
    }

    @Test
    void a_bad_port_or_a_port_in_use_fails_naming_the_setting() throws Exception {
        assertThatThrownBy(() -> App.builder("prombad").redisUrl(redis.url()).setting("metrics_port", 70000).build())
                .isInstanceOf(Misconfigured.class).hasMessageContaining("metrics_port");

        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            try (App app = App.builder("prombusy").redisUrl(redis.url()).setting("metrics_reporters", "prometheus")
                    .setting("metrics_port", taken.getLocalPort()).build()) {
                app.stream("orders", Order.class, Order::customer);
                assertThatThrownBy(() -> app.worker().start()).isInstanceOf(Misconfigured.class)
                        .hasMessageContaining("metrics_reporters").hasMessageContaining("prometheus could not start")
                        .hasMessageContaining("metrics_host").hasMessageContaining("metrics_port");
            }
        }
    }
}
