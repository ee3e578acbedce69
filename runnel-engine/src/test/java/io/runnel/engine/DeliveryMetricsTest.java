// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SlidingWindowReservoir;
import com.codahale.metrics.Timer;
import io.runnel.api.Delivery;
import io.runnel.api.Event;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class DeliveryMetricsTest {
    private static final long NOW = 1_700_000_000_000L;
    private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private final MetricRegistry registry = new MetricRegistry();
    private final ProcessorMetrics.Scope scope = ProcessorMetrics.Scope.register(registry, "p");

    private static Delivery delivery(long... idMillis) {
        List<Event> events = new ArrayList<>();
        for (long millis : idMillis) {
            events.add(new Event("s", 0, millis + "-0", Map.of()));
        }
        return new Delivery("p", 0, events, 1);
    }

    @Test
    void values_reach_the_shared_metrics_when_flushed_all_of_them_in_order_of_arrival() {
        DeliveryMetrics metrics = new DeliveryMetrics(scope, clock);
        metrics.delivered(delivery(NOW - 3));
        metrics.succeeded(delivery(NOW - 3), 1_000);
        metrics.delivered(delivery(NOW - 2, NOW - 1));
        metrics.succeeded(delivery(NOW - 2, NOW - 1), 5_000);

        assertThat(scope.processed().getCount()).isZero();
        assertThat(scope.latency().getCount()).isZero();

        metrics.flush();
        assertThat(scope.processed().getCount()).isEqualTo(3);
        assertThat(scope.processingTime().getCount()).isEqualTo(2);
        assertThat(scope.processingTime().getSnapshot().getValues()).containsExactly(1_000, 5_000);
        assertThat(scope.latency().getSnapshot().getValues()).containsExactly(1, 2, 3);
        assertThat(scope.latency().getCount()).isEqualTo(3);
        assertThat(scope.batchSize().getSnapshot().getValues()).containsExactly(1, 2);
    }

    @Test
    void a_full_group_is_flushed_and_the_window_keeps_the_last_values() {
        DeliveryMetrics metrics = new DeliveryMetrics(scope, clock);
        int n = ProcessorMetrics.WINDOW + DeliveryMetrics.GROUP + 10;
        for (int i = 0; i < n; i++) {
            metrics.delivered(delivery(NOW - i));
            metrics.succeeded(delivery(NOW - i), i);
        }
        // Everything up to the last full group arrived without a flush.
        long flushedBefore = scope.latency().getCount();
        assertThat(flushedBefore).isGreaterThanOrEqualTo(n - DeliveryMetrics.GROUP).isLessThan(n);
        metrics.flush();
        assertThat(scope.latency().getCount()).isEqualTo(n);
        assertThat(scope.processed().getCount()).isEqualTo(n);
        assertThat(scope.processingTime().getCount()).isEqualTo(n);
        assertThat(scope.processingTime().getSnapshot().getValues())
                .containsExactly(LongStream.range(n - ProcessorMetrics.WINDOW, n).toArray());
        assertThat(scope.latency().getSnapshot().size()).isEqualTo(ProcessorMetrics.WINDOW);
    }

    @Test
    void the_sum_and_count_keep_every_value_when_the_window_has_long_turned_over() {
        DeliveryMetrics metrics = new DeliveryMetrics(scope, clock);
        int slow = 1_270;
        int fast = 20_000;
        for (int i = 0; i < slow + fast; i++) {
            metrics.delivered(delivery(NOW - 7));
            metrics.succeeded(delivery(NOW - 7), i < slow ? 50_000_000 : 10_000);
        }
        metrics.flush();
        Distribution time = (Distribution) scope.processingTime();
        assertThat(time.count()).isEqualTo(slow + fast);
        assertThat(time.sum()).isEqualTo(slow * 50_000_000L + fast * 10_000L);
        assertThat(((Distribution) scope.latency()).sum()).isEqualTo(7L * (slow + fast));
        assertThat(((Distribution) scope.batchSize()).sum()).isEqualTo(slow + fast);
        // What a window-derived total would say instead: the last 1,024 values are all fast.
        assertThat(scope.processingTime().getSnapshot().getMean() * time.count()).isLessThan(time.sum() / 100.0);
    }

    @Test
    void followers_see_every_value_of_each_partition_and_of_the_processor_total() {
        MetricRegistry shared = new MetricRegistry();
        ProcessorMetrics.Scope p0 = ProcessorMetrics.Scope.register(shared, "t.partition.0");
        ProcessorMetrics.Scope p1 = ProcessorMetrics.Scope.register(shared, "t.partition.1");
        ProcessorTotals.MergedTimer total = new ProcessorTotals.MergedTimer(List.of(p0.processingTime(), p1.processingTime()));
        List<Long> ofTotal = new ArrayList<>();
        List<Long> ofPartition1 = new ArrayList<>();
        Distribution.Listener toTotal = (values, n) -> {
            for (int i = 0; i < n; i++) {
                ofTotal.add(values[i]);
            }
        };
        total.follow(toTotal);
        ((Distribution) p1.processingTime()).follow((values, n) -> {
            for (int i = 0; i < n; i++) {
                ofPartition1.add(values[i]);
            }
        });
        DeliveryMetrics on0 = new DeliveryMetrics(p0, clock);
        DeliveryMetrics on1 = new DeliveryMetrics(p1, clock);
        on0.succeeded(delivery(NOW), 100);
        on1.succeeded(delivery(NOW), 200);
        on1.succeeded(delivery(NOW), 300);
        on0.flush();
        on1.flush();
        assertThat(ofTotal).containsExactly(100L, 200L, 300L);
        assertThat(ofPartition1).containsExactly(200L, 300L);
        assertThat(total.count()).isEqualTo(3);
        assertThat(total.sum()).isEqualTo(600);

        total.unfollow(toTotal);
        on0.succeeded(delivery(NOW), 400);
        on0.flush();
        assertThat(ofTotal).hasSize(3);
        assertThat(total.sum()).isEqualTo(1_000);
    }

    @Test
    void metrics_registered_by_someone_else_under_the_same_names_take_the_values_one_by_one() {
        MetricRegistry own = new MetricRegistry();
        Timer timer = own.timer("q.processing-time", () -> new Timer(new SlidingWindowReservoir(10)));
        Histogram latency = own.histogram("q.latency-ms", () -> new Histogram(new SlidingWindowReservoir(10)));
        ProcessorMetrics.Scope theirs = ProcessorMetrics.Scope.register(own, "q");
        DeliveryMetrics metrics = new DeliveryMetrics(theirs, clock);
        metrics.delivered(delivery(NOW - 4, NOW - 5));
        metrics.succeeded(delivery(NOW - 4, NOW - 5), 2_000);
        metrics.flush();
        assertThat(latency.getSnapshot().getValues()).containsExactly(4, 5);
        assertThat(timer.getSnapshot().getValues()).containsExactly(TimeUnit.MICROSECONDS.toNanos(2));
        assertThat(timer.getCount()).isEqualTo(1);
    }
}
