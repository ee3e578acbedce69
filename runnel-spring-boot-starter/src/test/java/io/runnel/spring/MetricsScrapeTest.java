// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.App;
import io.runnel.engine.RunnelMetric;
import io.runnel.engine.Stream;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two ways users scrape Runnel's metrics, on one app: Spring Boot Actuator's
 * {@code /actuator/prometheus} (the starter's Micrometer bridge) and {@code runnel-prometheus}'s
 * own exporter ({@code metrics_reporters=prometheus}), both over HTTP and read as Prometheus
 * reads the text format.
 */
@Tag("redis")
class MetricsScrapeTest {
    /**
     * The JVM's shared server, not registered as an extension: that would empty it before each
     * test, under the app both tests share (one Spring context and web server for the class).
     */
    static final RedisExtension redis = new RedisExtension();

    /** A job; a slow one takes {@link #SLOW_MILLIS}. */
    record Job(int seq, boolean slow) {
    }

    static final long SLOW_MILLIS = 5;
    static final int SLOW = 1_270;
    static final int FAST = 20_000;

    /** The processor: slow jobs sleep, fast ones return at once. */
    static class Worker {
        @RunnelProcessor(stream = "jobs", name = "work")
        void work(Job job) throws InterruptedException {
            if (job.slow()) {
                Thread.sleep(SLOW_MILLIS);
            }
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class JobService {
        @Bean
        Stream<Job> jobs(App app) {
            return app.stream("jobs", Job.class, j -> Integer.toString(j.seq()), o -> o.partitionCount(4));
        }

        @Bean
        Worker worker() {
            return new Worker();
        }
    }

    static ConfigurableApplicationContext context;
    static String name;
    static URI actuator;
    static URI exporter;

    @BeforeAll
    static void start() throws IOException {
        redis.server().flushAll();
        name = "scrape" + UUID.randomUUID().toString().substring(0, 8);
        int exporterPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            exporterPort = socket.getLocalPort();
        }
        context = new SpringApplicationBuilder(JobService.class).web(WebApplicationType.SERVLET).properties(
                "server.port=0", "server.address=127.0.0.1", "management.endpoints.web.exposure.include=prometheus",
                "runnel.app=" + name, "runnel.redis-url=" + redis.url(), "runnel.default-join-delay=0",
                "runnel.metrics-reporters=prometheus", "runnel.metrics-port=" + exporterPort).run();
        actuator = URI.create("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port")
                + "/actuator/prometheus");
        exporter = URI.create("http://127.0.0.1:" + exporterPort + "/metrics");
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    /** A scrape: its samples, and the HELP and TYPE of each family. */
    record Scrape(List<Sample> samples, Map<String, String> help, Map<String, String> types) {
        double value(String sample, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name().equals(sample) && s.labels().equals(labels))
                    .mapToDouble(Sample::value).findFirst()
                    .orElseThrow(() -> new AssertionError("no sample " + sample + labels));
        }

        /** Every Runnel sample's name and labels. */
        Set<String> runnelSeries() {
            Set<String> series = new TreeSet<>();
            samples.stream().filter(s -> s.name().startsWith("runnel_"))
                    .forEach(s -> series.add(s.name() + new TreeMap<>(s.labels())));
            return series;
        }
    }

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)( \\S+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern META = Pattern.compile("^# (HELP|TYPE) (\\S+) ?(.*)$");

    static Scrape scrape(URI uri) throws Exception {
        return scrape(uri, "text/plain");
    }

    /** A scrape in the format {@code accept} asks for: Prometheus's text format, or OpenMetrics as Prometheus asks. */
    static Scrape scrape(URI uri, String accept) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                        .header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (Boolean.getBoolean("runnel.scrape.print")) {
            System.out.println("---- " + uri + " (" + accept + ")\n" + response.body());
        }
        assertThat(response.statusCode()).as(uri + ": " + response.body()).isEqualTo(200);
        List<Sample> samples = new ArrayList<>();
        Map<String, String> help = new TreeMap<>();
        Map<String, String> types = new TreeMap<>();
        for (String line : response.body().split("\n")) {
            Matcher meta = META.matcher(line);
            if (meta.matches()) {
                (meta.group(1).equals("HELP") ? help : types).put(meta.group(2), meta.group(3));
                continue;
            }
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
        return new Scrape(samples, help, types);
    }

    private static long processed() {
        return context.getBean(App.class).metrics().meter("runnel." + name + ".work.processed").getCount();
    }

    @SuppressWarnings("unchecked")
    private static Stream<Job> jobs() {
        return (Stream<Job>) context.getBean(App.class).streamNamed("jobs");
    }

    private static void send(int from, int count, boolean slow) {
        List<Job> batch = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            batch.add(new Job(i, slow));
            if (batch.size() == 1_000) {
                jobs().sendAll(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            jobs().sendAll(batch);
        }
    }

    /**
     * The issue's workload, with 5 ms for its 50 ms: slow events fill the windows, then fast
     * ones replace them, so a window's mean drops a hundredfold. A total derived from the window
     * (mean x count) fell; Prometheus read that as a counter reset.
     */
    @Test
    void the_processing_time_sum_never_falls_while_the_count_rises_on_both_paths() throws Exception {
        Map<String, String> work = Map.of("app", name, "processor", "work");
        Map<URI, List<double[]>> seen = new LinkedHashMap<>();
        seen.put(actuator, new ArrayList<>());
        seen.put(exporter, new ArrayList<>());
        Runnable scrapeBoth = () -> seen.forEach((uri, readings) -> {
            try {
                Scrape s = scrape(uri);
                readings.add(new double[] {s.value("runnel_processing_time_seconds_count", work),
                        s.value("runnel_processing_time_seconds_sum", work)});
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        send(0, SLOW, true);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> processed() == SLOW);
        // A consumer marks processed just before it adds its times: wait for the times on both paths.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            seen.values().forEach(List::clear);
            scrapeBoth.run();
            return seen.values().stream().allMatch(r -> r.get(0)[0] == SLOW);
        });
        send(SLOW, FAST, false);
        // Scrapes while the fast events go through, as Prometheus's would.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100)).until(() -> {
            scrapeBoth.run();
            return processed() == SLOW + FAST;
        });
        // The consumers add their last values within 20 ms of their last delivery.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            scrapeBoth.run();
            return seen.values().stream().allMatch(r -> r.get(r.size() - 1)[0] == SLOW + FAST);
        });

        double slowSeconds = SLOW * SLOW_MILLIS / 1000.0;
        seen.forEach((uri, readings) -> {
            assertThat(readings.size()).as(uri + " scraped during the fast part").isGreaterThan(2);
            assertThat(readings.get(0)[0]).as(uri + " count after the slow part").isEqualTo(SLOW);
            assertThat(readings.get(0)[1]).as(uri + " sum after the slow part").isGreaterThanOrEqualTo(slowSeconds);
            for (int i = 1; i < readings.size(); i++) {
                assertThat(readings.get(i)[0]).as(uri + " count, scrape " + i).isGreaterThanOrEqualTo(readings.get(i - 1)[0]);
                assertThat(readings.get(i)[1]).as(uri + " sum, scrape " + i + " of " + readings.size())
                        .isGreaterThanOrEqualTo(readings.get(i - 1)[1]);
            }
            double[] last = readings.get(readings.size() - 1);
            assertThat(last[1]).as(uri + " final sum: the slow part's time is still in it").isGreaterThanOrEqualTo(slowSeconds)
                    .isLessThan(slowSeconds * 20);
        });
        // Both paths count the same values: their final sums agree (Micrometer adds seconds as doubles).
        double[] viaActuator = seen.get(actuator).get(seen.get(actuator).size() - 1);
        double[] viaExporter = seen.get(exporter).get(seen.get(exporter).size() - 1);
        assertThat(viaActuator[1]).isCloseTo(viaExporter[1], org.assertj.core.data.Percentage.withPercentage(0.001));
    }

    @Test
    void both_paths_show_the_same_series_types_and_help() throws Exception {
        Map<String, String> work = Map.of("app", name, "processor", "work");
        // The worker owns every partition once it joined (the class's other test may run first or not).
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() ->
                scrape(actuator).value("runnel_owned_partitions", work) == 4
                        && scrape(exporter).value("runnel_owned_partitions", work) == 4);
        Scrape viaActuator = scrape(actuator);
        Scrape viaExporter = scrape(exporter);

        assertThat(viaActuator.runnelSeries()).isNotEmpty().isEqualTo(viaExporter.runnelSeries());
        Map<String, String> actuatorTypes = new TreeMap<>(viaActuator.types());
        actuatorTypes.keySet().removeIf(n -> !n.startsWith("runnel_"));
        assertThat(actuatorTypes).isEqualTo(viaExporter.types());
        Map<String, String> actuatorHelp = new TreeMap<>(viaActuator.help());
        actuatorHelp.keySet().removeIf(n -> !n.startsWith("runnel_"));
        assertThat(actuatorHelp).isEqualTo(viaExporter.help());

        // The same in OpenMetrics, which Prometheus asks for first.
        String openMetrics = "application/openmetrics-text; version=1.0.0; charset=utf-8";
        Scrape actuatorOpenMetrics = scrape(actuator, openMetrics);
        Scrape exporterOpenMetrics = scrape(exporter, openMetrics);
        assertThat(actuatorOpenMetrics.runnelSeries()).isNotEmpty().isEqualTo(exporterOpenMetrics.runnelSeries());
        Map<String, String> actuatorOpenTypes = new TreeMap<>(actuatorOpenMetrics.types());
        actuatorOpenTypes.keySet().removeIf(n -> !n.startsWith("runnel_"));
        assertThat(actuatorOpenTypes).isEqualTo(exporterOpenMetrics.types());

        // What the catalog promises: every metric, at every scope it is exported at, described.
        for (RunnelMetric m : RunnelMetric.values()) {
            for (RunnelMetric.Scope at : m.exportedAt()) {
                assertThat(viaExporter.help()).as(m.prometheusName(at)).containsEntry(m.prometheusName(at), m.help());
            }
        }
        assertThat(viaExporter.types()).containsEntry("runnel_processing_time_seconds", "summary")
                .containsEntry("runnel_processing_time_seconds_max", "gauge")
                .containsEntry("runnel_latency_seconds", "summary")
                .containsEntry("runnel_processed_total", "counter")
                .containsEntry("runnel_partition_lag", "gauge");
        assertThat(viaExporter.runnelSeries()).contains("runnel_partition_processed_total"
                + new TreeMap<>(Map.of("app", name, "processor", "work", "partition", "3")));
        assertThat(viaActuator.value("runnel_owned_partitions", work)).isEqualTo(4);
        assertThat(viaExporter.value("runnel_owned_partitions", work)).isEqualTo(4);
    }
}
