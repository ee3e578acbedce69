// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.ProcessingGuarantee;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.runnel.engine.CommittedEffects.pending;
import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Windowed aggregations on a worker: each key's result per window is sent once, when the
 * window closes, committed with the acknowledgements, whichever owner closes it.
 */
@Tag("redis")
class WindowedAggregationTest extends RedisBackedTest {

    private App app(TransportKind transport, Windows windows) {
        App app = apps.app(transport, TestApps.uniqueName("win"), b -> b.setting("default_partition_count", 4));
        app.stream("orders", Order.class, Order::key);
        WindowCounts.define(app, ProcessingGuarantee.EXACTLY_ONCE, windows, 0);
        return app;
    }

    @SuppressWarnings("unchecked")
    private static Stream<Order> orders(App app) {
        return (Stream<Order>) app.streamNamed("orders");
    }

    /** Waits, by the clock, until the second after the one it is in now has begun. */
    private static void awaitNextSecond() {
        long second = System.currentTimeMillis() / 1000;
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(10))
                .until(() -> System.currentTimeMillis() / 1000 > second);
    }

    @ParameterizedTest
    @TransportKind.Every
    void each_keys_count_per_window_is_sent_once_when_the_window_closes(TransportKind transport) {
        App app = app(transport, WindowCounts.WINDOWS);
        Worker worker = app.worker().start();
        // Three bursts in different seconds: windows close at a later burst's events, and the
        // last ones by the clock, with nothing more arriving.
        for (int burst = 0; burst < 3; burst++) {
            orders(app).sendAll(TestApps.orders(20, 3));
            awaitNextSecond();
        }
        Map<String, Long> expected = WindowCounts.expected(app);
        assertThat(expected.keySet().stream().map(k -> k.substring(k.indexOf('@'))).distinct())
                .as("windows the orders fell in").hasSizeGreaterThanOrEqualTo(3);
        await().atMost(Duration.ofSeconds(30)).until(() -> WindowCounts.allClosed(app)
                && WindowCounts.sent(app).size() == expected.size());
        worker.stop();

        Map<String, List<Long>> sent = WindowCounts.sent(app);
        assertThat(sent.keySet()).isEqualTo(expected.keySet());
        sent.forEach((window, counts) -> assertThat(counts).as(window).containsExactly(expected.get(window)));
        assertThat(app.metrics().meter("runnel." + app.name() + ".per-second.late-events").getCount()).isZero();
    }

    /**
     * A backlog whose windows are long due by the clock: its partitions' buffers run dry
     * between reads (a small prefetch), yet no window closes before its events were all read.
     */
    @ParameterizedTest
    @TransportKind.Every
    void a_backlogs_windows_do_not_close_by_the_clock_before_it_is_read(TransportKind transport) {
        App app = apps.app(transport, TestApps.uniqueName("win"), b -> b.setting("default_partition_count", 2)
                .setting("default_prefetch_count", 5));
        app.stream("orders", Order.class, Order::key);
        WindowCounts.define(app, ProcessingGuarantee.EXACTLY_ONCE, WindowCounts.WINDOWS, 0);
        orders(app).sendAll(TestApps.orders(4, 300));
        Map<String, Long> expected = WindowCounts.expected(app);
        long lastClose = expected.keySet().stream().mapToLong(k -> Long.parseLong(k.substring(k.indexOf('@') + 1)))
                .max().orElseThrow() + WindowCounts.WINDOWS.size().toMillis() + WindowCounts.WINDOWS.grace().toMillis();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10))
                .until(() -> System.currentTimeMillis() > lastClose);

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> WindowCounts.allClosed(app)
                && WindowCounts.sent(app).size() >= expected.size());
        worker.stop();

        WindowCounts.sent(app).forEach((window, counts) ->
                assertThat(counts).as(window).containsExactly(expected.get(window)));
        assertThat(app.metrics().meter("runnel." + app.name() + ".per-second.late-events").getCount()).isZero();
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_new_owner_closes_the_windows_its_predecessor_left_open(TransportKind transport) {
        // Windows too long to close while the first worker runs.
        Windows windows = Windows.tumbling(Duration.ofSeconds(3));
        App app = app(transport, windows);
        Worker first = app.worker().start();
        orders(app).sendAll(TestApps.orders(20, 3));
        // Every order aggregated, committed, in a window still open.
        await().atMost(Duration.ofSeconds(30)).until(() -> pending(app, "per-second") == 0
                && WindowCounts.open(app).values().stream().flatMap(w -> w.values().stream())
                .mapToLong(Long::parseLong).sum() == 60);
        first.stop();
        assertThat(WindowCounts.sent(app)).as("sent before the windows closed").isEmpty();
        assertThat(WindowCounts.allClosed(app)).as("the open windows are in Redis").isFalse();

        Worker second = app.worker().start();
        Map<String, Long> expected = WindowCounts.expected(app, windows);
        await().atMost(Duration.ofSeconds(30)).until(() -> WindowCounts.allClosed(app)
                && WindowCounts.sent(app).size() == expected.size());
        second.stop();

        WindowCounts.sent(app).forEach((window, counts) ->
                assertThat(counts).as(window).containsExactly(expected.get(window)));
    }

    @Test
    void windows_hold_the_times_from_their_start_to_their_end() {
        Windows tumbling = Windows.tumbling(Duration.ofSeconds(10));
        assertThat(tumbling.startsOf(25_000)).containsExactly(20_000);
        assertThat(tumbling.startsOf(20_000)).containsExactly(20_000);
        assertThat(tumbling.startsOf(29_999)).containsExactly(20_000);
        assertThat(tumbling.startsOf(-1)).containsExactly(-10_000);
        Windows hopping = Windows.hopping(Duration.ofSeconds(10), Duration.ofSeconds(5)).withGrace(Duration.ofSeconds(2));
        assertThat(hopping.startsOf(25_000)).containsExactly(25_000, 20_000);
        assertThat(hopping.startsOf(24_999)).containsExactly(20_000, 15_000);
        assertThat(Windows.hopping(Duration.ofSeconds(10), Duration.ofSeconds(3)).startsOf(9_000))
                .containsExactly(9_000, 6_000, 3_000, 0);
        assertThat(hopping.closesAt(20_000)).isEqualTo(32_000);
        assertThat(hopping).hasToString("hopping PT10S every PT5S, grace PT2S");
        assertThatThrownBy(() -> Windows.hopping(Duration.ofSeconds(1), Duration.ofSeconds(2)))
                .hasMessageContaining("advance <= size");
        assertThatThrownBy(() -> Windows.tumbling(Duration.ZERO)).hasMessageContaining("1 ms");
        assertThatThrownBy(() -> tumbling.withGrace(Duration.ofSeconds(-1))).hasMessageContaining("negative");
    }

    @Test
    void a_windowed_aggregation_refuses_max_in_flight_above_1() {
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("win"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        assertThatThrownBy(() -> app.processor(orders, "w", o -> o.maxInFlight(4),
                ProcessorFunction.<Order, Long>aggregateWindows(WindowCounts.WINDOWS, Long.class,
                        (n, order) -> 1L, (window, context) -> { })))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("max_in_flight 4")
                .hasMessageContaining("one at a time");
    }

    @Test
    void a_state_name_starting_with_an_underscore_is_the_engines() {
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("win"), b -> b.setting("default_partition_count", 1));
        assertThat(ContextRefusals.refusal(app, context -> context.state("_windows", Long.class)))
                .hasMessageContaining("names starting with '_' are the engine's");
    }
}
