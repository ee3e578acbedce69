// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.runnel.api.ExceptionPolicy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Metric values after a known workload, and the reporters chosen by {@code metrics_reporters}. */
@Tag("redis")
class MetricsTest extends RedisBackedTest {

    /** A key on partition {@code partition} of {@code orders}. */
    private static String keyOn(Stream<Order> orders, int partition, String prefix) {
        for (int i = 0; ; i++) {
            if (orders.partitionOf(new Order(prefix + i, 0)) == partition) {
                return prefix + i;
            }
        }
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_known_workload_shows_in_every_counter_histogram_and_gauge(TransportKind transport) {
        App app = apps.app(transport, TestApps.uniqueName("met"), b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        String a = keyOn(orders, 0, "a");
        String b = keyOn(orders, 1, "b");
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(), events -> {
            for (Order o : events.records()) {
                if (o.key().equals(b) && o.seq() == 3) {
                    throw new IllegalStateException("bad order");
                }
                log.add(o);
            }
        });
        // 12 events on partition 0 and 8 on partition 1, one of which fails.
        List<Order> batch = new ArrayList<>();
        for (int seq = 0; seq < 12; seq++) {
            batch.add(new Order(a, seq));
            if (seq < 8) {
                batch.add(new Order(b, seq));
            }
        }
        orders.sendAll(batch);

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == 19);
        MetricRegistry m = app.metrics();
        String proc = "runnel." + app.name() + ".proc";
        // Acks go out asynchronously; wait for all 20 (the failed one is acked by IGNORE).
        await().atMost(Duration.ofSeconds(10)).until(() -> m.meter(proc + ".acked").getCount() == 20);
        assertThat(gauge(m, proc + ".owned-partitions")).isEqualTo(2);

        assertThat(m.meter(proc + ".processed").getCount()).isEqualTo(19);
        assertThat(m.meter(proc + ".partition.0.processed").getCount()).isEqualTo(12);
        assertThat(m.meter(proc + ".partition.1.processed").getCount()).isEqualTo(7);
        assertThat(m.meter(proc + ".failed").getCount()).isEqualTo(1);
        assertThat(m.meter(proc + ".partition.1.failed").getCount()).isEqualTo(1);
        assertThat(m.meter(proc + ".partition.0.failed").getCount()).isZero();
        assertThat(m.meter(proc + ".dead-lettered").getCount()).isEqualTo(1);
        assertThat(m.meter(proc + ".partition.1.dead-lettered").getCount()).isEqualTo(1);
        assertThat(m.meter(proc + ".partition.0.acked").getCount()).isEqualTo(12);
        assertThat(m.meter(proc + ".partition.1.acked").getCount()).isEqualTo(8);
        // One delivery per event with records(): 20 handed out, 19 completed.
        assertThat(m.histogram(proc + ".batch-size").getCount()).isEqualTo(20);
        assertThat(m.histogram(proc + ".batch-size").getSnapshot().getMax()).isEqualTo(1);
        assertThat(m.histogram(proc + ".latency-ms").getCount()).isEqualTo(20);
        assertThat(m.histogram(proc + ".partition.0.latency-ms").getCount()).isEqualTo(12);
        assertThat(m.timer(proc + ".processing-time").getCount()).isEqualTo(19);
        assertThat(m.meter(proc + ".fetch-calls").getCount()).isPositive();
        assertThat(m.meter(proc + ".fetched").getCount()).isEqualTo(20);
        assertThat(m.timer(proc + ".rebalances").getCount()).isEqualTo(1);
        assertThat(gauge(m, proc + ".pending")).isEqualTo(0L);
        assertThat(gauge(m, proc + ".partition.1.pending")).isEqualTo(0L);
        assertThat(gauge(m, proc + ".lag")).isEqualTo(0L);

        worker.stop();
        assertThat(gauge(m, proc + ".owned-partitions")).isEqualTo(0);
    }

    @Test
    void batches_record_their_sizes_and_the_pending_gauge_counts_unacked_events() throws Exception {
        App app = apps.app(TestApps.uniqueName("met"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        app.processor(orders, "batcher", events -> {
            for (List<Order> batch : events.take(5, Duration.ofMillis(500)).records()) {
                seen.addAndGet(batch.size());
                if (seen.get() == 10) {
                    release.await(); // hold the second batch: its 5 events stay pending
                }
            }
        });
        orders.sendAll(TestApps.orders(1, 12));
        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.get() == 10);
        MetricRegistry m = app.metrics();
        String proc = "runnel." + app.name() + ".batcher";
        await().atMost(Duration.ofSeconds(10)).until(() -> m.meter(proc + ".acked").getCount() == 5);
        // The first batch's size went in with its completion's group; the held batch's goes in with its own
        // (a consumer adds its values in groups, see DeliveryMetrics), as the docs say.
        assertThat(m.histogram(proc + ".batch-size").getSnapshot().getValues()).containsExactly(5);
        // The held batch and the 2 events read behind it.
        assertThat(gauge(m, proc + ".pending")).isEqualTo(7L);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.meter(proc + ".acked").getCount() == 12);
        assertThat(m.histogram(proc + ".batch-size").getSnapshot().getValues()).containsExactly(2, 5, 5);
        worker.stop();
    }

    /** The autoscaling signal besides lag: how long the oldest unacknowledged entry has waited since it was sent. */
    @Test
    void the_oldest_pending_age_gauge_is_the_age_of_the_oldest_unacknowledged_entry() throws Exception {
        App app = apps.app(TestApps.uniqueName("met"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        app.processor(orders, "holder", events -> {
            for (Order o : events.records()) {
                holding.countDown();
                release.await();
            }
        });
        // Sent "an hour ago": its id carries its send time.
        long sentAt = System.currentTimeMillis() - 3_600_000;
        orders.send(new Order("k", 0), sentAt + "-0");
        Worker worker = app.worker().start();
        MetricRegistry m = app.metrics();
        String proc = "runnel." + app.name() + ".holder";
        assertThat(holding.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            double age = (Double) gauge(m, proc + ".oldest-pending-age");
            double expected = (System.currentTimeMillis() - sentAt) / 1000.0;
            assertThat(age).isBetween(expected - 10, expected + 1);
            assertThat((Double) gauge(m, proc + ".partition.0.oldest-pending-age")).isEqualTo(age);
        });
        release.countDown();
        // Acknowledged: nothing pending, the gauge reads 0 once its 5 s cache is refreshed.
        await().atMost(Duration.ofSeconds(15)).until(() -> (Double) gauge(m, proc + ".oldest-pending-age") == 0.0);
        worker.stop();
    }

    @Test
    void a_slow_functions_delivery_shows_in_the_metrics_while_the_function_holds_it() throws Exception {
        App app = apps.app(TestApps.uniqueName("met"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        app.processor(orders, "slow", events -> {
            for (Order o : events.records()) {
                if (seen.incrementAndGet() == 1) {
                    Thread.sleep(30); // the work of a slow function, longer than the 20 ms grouping
                } else {
                    release.await(); // hold the second one
                }
            }
        });
        orders.sendAll(TestApps.orders(1, 2));
        Worker worker = app.worker().start();
        MetricRegistry m = app.metrics();
        String partition = "runnel." + app.name() + ".slow.partition.0";
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.get() == 2);
        // The held delivery's hand-out values are in, not only the completed one's.
        await().atMost(Duration.ofSeconds(10)).until(() -> m.histogram(partition + ".latency-ms").getCount() == 2);
        assertThat(m.histogram(partition + ".batch-size").getCount()).isEqualTo(2);
        assertThat(m.meter(partition + ".processed").getCount()).isEqualTo(1);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> m.meter(partition + ".processed").getCount() == 2);
        worker.stop();
    }

    @Test
    void the_lag_gauge_counts_what_the_group_has_not_been_given_yet() throws Exception {
        App app = apps.app(TestApps.uniqueName("met"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        app.processor(orders, "stuck", o -> o.prefetchCount(2), events -> {
            for (Order o : events.records()) {
                release.await();
            }
        });
        orders.sendAll(TestApps.orders(1, 10));
        Worker worker = app.worker().start();
        MetricRegistry m = app.metrics();
        String proc = "runnel." + app.name() + ".stuck";
        // At most prefetch + prefetch / 2 buffered plus one in hand were delivered; the rest lag.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            long pending = (Long) gauge(m, proc + ".pending");
            long lag = (Long) gauge(m, proc + ".partition.0.lag");
            return pending >= 1 && pending + lag == 10;
        });
        assertThat((Long) gauge(m, proc + ".lag")).isBetween(6L, 9L);
        release.countDown();
        worker.stop();
    }

    @Test
    void the_jmx_reporter_is_on_by_default_while_a_worker_runs() throws Exception {
        App app = apps.app(TestApps.uniqueName("jmx"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
        ObjectName processed = new ObjectName("runnel:name=runnel." + app.name() + ".proc.processed,*");
        var server = ManagementFactory.getPlatformMBeanServer();
        assertThat(server.queryNames(processed, null)).isEmpty();

        Worker worker = app.worker().start();
        orders.send(new Order("k", 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> app.metrics().meter("runnel." + app.name() + ".proc.processed").getCount() == 1);
        ObjectName name = server.queryNames(processed, null).iterator().next();
        assertThat(server.getAttribute(name, "Count")).isEqualTo(1L);

        worker.stop();
        app.close();
        assertThat(server.queryNames(processed, null)).isEmpty();
    }

    @Test
    void the_csv_reporter_writes_a_file_per_metric_when_chosen(@TempDir Path dir) {
        App app = apps.app(TestApps.uniqueName("csv"), b -> b.setting("metrics_reporters", "csv")
                .setting("metrics_interval", "100ms").setting("metrics_csv_directory", dir.resolve("m").toString()));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
        orders.sendAll(TestApps.orders(3, 2));
        Worker worker = app.worker().start();
        Path processed = dir.resolve("m").resolve("runnel." + app.name() + ".proc.processed.csv");
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(processed)
                && Files.readAllLines(processed).stream().anyMatch(l -> l.matches("\\d+,6,.*")));
        worker.stop();
    }

    @Test
    void an_unknown_reporter_fails_at_start_naming_the_setting() {
        assertThatThrownBy(() -> Settings.resolve(java.util.Map.of(), java.util.Map.of("metrics_reporters", "jmx,graphite")))
                .isInstanceOf(io.runnel.api.Misconfigured.class)
                .hasMessageContaining("metrics_reporters")
                .hasMessageContaining("graphite");
        assertThat(Settings.resolve(java.util.Map.of("RUNNEL_METRICS_REPORTERS", "none"), java.util.Map.of())
                .metricsReporters()).isEmpty();
    }

    private static Object gauge(MetricRegistry m, String name) {
        Gauge<?> g = m.getGauges().get(name);
        assertThat(g).as("gauge " + name).isNotNull();
        return g.getValue();
    }
}
