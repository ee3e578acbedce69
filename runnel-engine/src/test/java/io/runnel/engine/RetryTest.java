// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Meter;
import io.runnel.api.Delivery;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Middleware;
import io.runnel.api.SerializationException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * In-order retries: a failed delivery is tried again in place, the partition waiting
 * meanwhile, before the exception policy applies; a stop or a rebalance ends the wait at once.
 */
@Tag("redis")
class RetryTest extends RedisBackedTest {
    private static final int KEYS = 6;
    private static final int PER_KEY = 8;

    /** Every try of a key's event, as {@code key/seq} → the attempts the function saw (with the MDC's). */
    private final Map<String, List<String>> tries = new ConcurrentHashMap<>();

    private void tried(Order order, Events<?> events) {
        tries.computeIfAbsent(order.key() + "/" + order.seq(), k -> new CopyOnWriteArrayList<>())
                .add(events.attempt() + ":" + MDC.get("attempt"));
    }

    private App app(TransportKind transport, String name, Consumer<ProcessorOptions> options, FailWhen failWhen,
                    ProcessedLog log) {
        App app = apps.app(transport, name, b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", options, events -> {
            for (Order order : events.records()) {
                tried(order, events);
                failWhen.check(order, events.attempt());
                log.add(order);
            }
        });
        return app;
    }

    @FunctionalInterface
    private interface FailWhen {
        void check(Order order, int attempt) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private static Stream<Order> orders(App app) {
        return (Stream<Order>) app.streamNamed("orders");
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_delivery_that_succeeds_on_a_later_try_is_processed_once_and_in_order(TransportKind transport) {
        ProcessedLog log = new ProcessedLog();
        List<String> seenByMiddleware = new CopyOnWriteArrayList<>();
        Middleware watching = new Middleware() {
            @Override
            public void beforeProcessing(Delivery d) {
                seenByMiddleware.add("before " + d.events().get(0).id() + " try " + d.attempt());
            }

            @Override
            public void afterSuccess(Delivery d) {
                seenByMiddleware.add("success " + d.events().get(0).id() + " try " + d.attempt());
            }
        };
        App app = app(transport, TestApps.uniqueName("retry"), o -> o.retry(4, Duration.ofMillis(20),
                Duration.ofMillis(100), 2, 0.5).middleware(watching), (order, attempt) -> {
                    if (order.key().equals("key-1") && order.seq() == 3 && attempt < 3) {
                        throw new IllegalStateException("flaky " + attempt);
                    }
                }, log);
        orders(app).sendAll(TestApps.orders(KEYS, PER_KEY));

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == KEYS * PER_KEY);
        worker.stop();

        log.assertExactlyOnceInOrder(KEYS, PER_KEY);
        assertThat(tries.get("key-1/3")).containsExactly("1:null", "2:2", "3:3");
        assertThat(tries.get("key-1/4")).containsExactly("1:null");
        Meter retries = app.metrics().meter("runnel." + app.name() + ".proc.retries");
        assertThat(retries.getCount()).as("events tried again").isEqualTo(2);
        // One delivery to middleware: before its first try, after its last.
        assertThat(seenByMiddleware).hasSize(2 * KEYS * PER_KEY);
        assertThat(seenByMiddleware.stream().filter(s -> s.endsWith("try 3"))).hasSize(1)
                .allMatch(s -> s.startsWith("success "));
        assertThat(app.metrics().meter("runnel." + app.name() + ".proc.failed").getCount())
                .as("failures the policy saw").isZero();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void failures_that_are_not_retryable_and_the_last_try_go_to_the_policy(TransportKind transport) {
        ProcessedLog log = new ProcessedLog();
        App app = app(transport, TestApps.uniqueName("noretry"), o -> o.retry(3, Duration.ofMillis(10),
                Duration.ofMillis(10), 1, 0).exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(), (order, attempt) -> {
                    if (order.key().equals("key-1") && order.seq() == 3) {
                        throw new SerializationException("undecodable " + order.seq());
                    }
                    if (order.key().equals("key-2") && order.seq() == 5) {
                        throw new IllegalStateException("always " + order.seq());
                    }
                }, log);
        orders(app).sendAll(TestApps.orders(KEYS, PER_KEY));

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == KEYS * PER_KEY - 2);
        Stream<Order> dead = orders(app).deadLetters();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.transport().length(dead.partitionKey(0)) == 2);
        worker.stop();

        assertThat(tries.get("key-1/3")).as("a SerializationException is not retried").containsExactly("1:null");
        assertThat(tries.get("key-2/5")).as("tried 3 times, then ignored")
                .containsExactly("1:null", "2:2", "3:3");
        assertThat(log.snapshot().get("key-2")).containsExactly(0, 1, 2, 3, 4, 6, 7);
    }

    @ParameterizedTest
    @TransportKind.Memory
    void a_stop_ends_the_backoff_at_once_and_the_next_owner_gets_the_events(TransportKind transport) throws Exception {
        String name = TestApps.uniqueName("retrystop");
        ProcessedLog log = new ProcessedLog();
        // A grace period far longer than the stop is given below: the backoff must end because
        // the partition closes, not because the grace period ran out and interrupted the thread.
        App first = app(transport, name, o -> o.retry(5, Duration.ofMinutes(5), Duration.ofMinutes(5), 1, 0)
                        .gracePeriod(Duration.ofSeconds(60)).lockExpiry(Duration.ofSeconds(150)),
                (order, attempt) -> {
                    if (order.key().equals("key-1") && order.seq() == 3) {
                        throw new IllegalStateException("not yet");
                    }
                }, log);
        orders(first).sendAll(TestApps.orders(KEYS, PER_KEY));
        Worker failing = first.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> tries.containsKey("key-1/3"));

        // A five-minute backoff under way: the stop must not wait for it, nor for the grace period.
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(failing::stop);
        stopped.get(30, TimeUnit.SECONDS);

        App second = app(transport, name, o -> { }, (order, attempt) -> { }, log);
        Worker fixed = second.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == KEYS * PER_KEY);
        fixed.stop();
        log.assertExactlyOnceInOrder(KEYS, PER_KEY);
        assertThat(tries.get("key-1/3")).containsExactly("1:null", "1:null");
    }

    @ParameterizedTest
    @TransportKind.Memory
    void a_rebalance_ends_the_backoff_of_a_partition_that_moves(TransportKind transport) {
        String name = TestApps.uniqueName("retrybal");
        ProcessedLog log = new ProcessedLog();
        // The first worker fails every key's seq 2 for five minutes; its grace period is long, so
        // only the revocation itself can end the backoff in time.
        App first = app(transport, name, o -> o.retry(5, Duration.ofMinutes(5), Duration.ofMinutes(5), 1, 0)
                        .gracePeriod(Duration.ofSeconds(60)).lockExpiry(Duration.ofSeconds(150)),
                (order, attempt) -> {
                    if (order.seq() == 2) {
                        throw new IllegalStateException("not here");
                    }
                }, log);
        Stream<Order> orders = orders(first);
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
        Worker failing = first.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> failing.ownedPartitions("proc").equals(Set.of(0, 1))
                && tries.keySet().stream().filter(k -> k.endsWith("/2")).map(k -> orders.partitionOf(new Order(
                        k.substring(0, k.indexOf('/')), 0))).distinct().count() == 2);

        App second = app(transport, name, o -> { }, (order, attempt) -> { }, log);
        Worker fixed = second.worker().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> fixed.ownedPartitions("proc").size() == 1
                && failing.ownedPartitions("proc").size() == 1);
        int moved = fixed.ownedPartitions("proc").iterator().next();
        List<String> keysMoved = TestApps.orders(KEYS, 1).stream().map(Order::key)
                .filter(k -> orders.partitionOf(new Order(k, 0)) == moved).toList();
        // The moved partition's events all arrive through the new owner, in order, once.
        await().atMost(Duration.ofSeconds(30)).until(() -> keysMoved.stream()
                .allMatch(k -> log.snapshot().getOrDefault(k, List.of()).size() == PER_KEY));
        Map<String, List<Integer>> processed = log.snapshot();
        for (String key : keysMoved) {
            assertThat(processed.get(key)).as(key).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        }
        fixed.stop();
        failing.stop();
    }
}
