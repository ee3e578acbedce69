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
