// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Gauge;
import io.runnel.api.Delivery;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Middleware;
import io.runnel.api.ProcessingTimeout;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A processor function that blocks on one event: past {@code max_processing_time} the
 * delivery is interrupted and fails with {@link ProcessingTimeout} under the exception
 * policy; the other partitions go on meanwhile; a thread that ignores the interrupt for a
 * grace period more loses its partition to another worker.
 */
@Tag("redis")
class StuckHandlerTest extends RedisBackedTest {
    private static final Duration MAX = Duration.ofSeconds(1);
    /** Generous on a loaded 2-core machine. */
    private static final Duration SLACK = Duration.ofSeconds(4);
    /**
     * The function sees the event a little after the worker handed it out (decoding it, the
     * first time loading classes), and the limit counts from the hand-out.
     */
    private static final Duration HAND_OUT_TO_FUNCTION = Duration.ofMillis(300);
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** Blocks on event {@code key}/0 until interrupted (or for good); records when it was handed out and interrupted. */
    private static final class Blocking {
        final AtomicLong handedOutAt = new AtomicLong();
        final AtomicLong interruptedAt = new AtomicLong();
        final boolean ignoreInterrupts;
        final CountDownLatch never = new CountDownLatch(1);
        volatile String key = "stuck";

        Blocking(boolean ignoreInterrupts) {
            this.ignoreInterrupts = ignoreInterrupts;
        }

        void handle(Order order) throws InterruptedException {
            if (!order.key().equals(key) || order.seq() != 0 || handedOutAt.get() != 0) {
                return;
            }
            handedOutAt.set(System.nanoTime());
            while (true) {
                try {
                    never.await();
                    return; // released by the test's clean-up
                } catch (InterruptedException e) {
                    interruptedAt.compareAndSet(0, System.nanoTime());
                    if (!ignoreInterrupts) {
                        throw e;
                    }
                }
            }
        }

        Duration detectedAfter() {
            return Duration.ofNanos(interruptedAt.get() - handedOutAt.get());
        }
    }

    @ParameterizedTest
    @EnumSource(ExceptionPolicy.class)
    void a_blocked_delivery_is_interrupted_after_max_processing_time_and_fails_under_the_policy(ExceptionPolicy policy)
            throws Exception {
        App app = apps.app(TestApps.uniqueName("stuck"), b -> b.setting("default_max_processing_time", MAX));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Blocking blocking = new Blocking(false);
        app.processor(orders, "proc", o -> o.exceptionPolicy(policy).middleware(failuresInto(failures)), events -> {
            for (Order order : events.records()) {
                blocking.handle(order);
                log.add(order);
            }
        });
        int stuckPartition = orders.partitionOf(new Order("stuck", 0));
        List<Order> others = TestApps.orders(8, 20).stream()
                .filter(o -> orders.partitionOf(o) != stuckPartition).toList();
        Worker worker = app.worker().start();

        orders.sendAll(List.of(new Order("stuck", 0), new Order("stuck", 1)));
        orders.sendAll(others);

        await().atMost(PATIENCE).until(() -> blocking.interruptedAt.get() != 0);
        assertThat(blocking.detectedAfter()).isBetween(MAX.minus(HAND_OUT_TO_FUNCTION), MAX.plus(SLACK));
        await().atMost(PATIENCE).until(() -> failures.size() == 1);
        assertThat(failures.get(0)).isInstanceOf(ProcessingTimeout.class)
                .hasCauseInstanceOf(InterruptedException.class)
                .hasMessageContaining("max_processing_time");
        assertThat(((ProcessingTimeout) failures.get(0)).partition()).isEqualTo(stuckPartition);
        switch (policy) {
            case IGNORE -> {
                // Acknowledged and skipped; the rest of its partition follows.
                await().atMost(PATIENCE).until(() -> log.count() == others.size() + 1);
                assertThat(log.snapshot().get("stuck")).containsExactly(1);
                assertThat(worker.stuckPartitions("proc")).isEmpty();
            }
            case QUARANTINE -> {
                await().atMost(PATIENCE).until(() -> worker.poisonedPartitions("proc").contains(stuckPartition));
                await().atMost(PATIENCE).until(() -> log.count() == others.size());
                assertThat(log.snapshot()).doesNotContainKey("stuck");
            }
            case HALT -> {
                assertThat(worker.awaitStopped(PATIENCE)).isTrue();
                assertThatThrownBy(worker::await).isInstanceOf(ProcessingTimeout.class);
            }
        }
        blocking.never.countDown();
    }

    @Test
    void a_thread_that_ignores_its_interrupt_is_shown_stuck_and_its_partition_moves_to_another_worker()
            throws Exception {
        String name = TestApps.uniqueName("deaf");
        // Two workers of one app in this JVM; only the first one's function gets stuck.
        Blocking deaf = new Blocking(true);
        ProcessedLog firstLog = new ProcessedLog();
        ProcessedLog secondLog = new ProcessedLog();
        App first = define(name, deaf, firstLog);
        App second = define(name, new Blocking(false), secondLog);
        Stream<Order> orders = orders(first);
        Worker stuckWorker = first.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(stuckWorker), 4, "proc");
        Worker healthy = second.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(stuckWorker, healthy), 4, "proc");
        // A key that lands on the first worker, whatever the assignment.
        String key = IntStream.range(0, 100).mapToObj(i -> "stuck-" + i)
                .filter(k -> stuckWorker.ownedPartitions("proc").contains(orders.partitionOf(new Order(k, 0))))
                .findFirst().orElseThrow();
        deaf.key = key;
        int stuckPartition = orders.partitionOf(new Order(key, 0));
        int otherOfFirst = stuckWorker.ownedPartitions("proc").stream().filter(p -> p != stuckPartition).findFirst()
                .orElseThrow();
        List<Order> onOther = TestApps.orders(16, 5).stream().filter(o -> orders.partitionOf(o) == otherOfFirst).toList();

        orders.sendAll(List.of(new Order(key, 0), new Order(key, 1), new Order(key, 2)));
        await().atMost(PATIENCE).until(() -> deaf.handedOutAt.get() != 0);
        orders.sendAll(onOther);

        // Detected: the log, status and the gauge show it, and the worker's other partition goes on.
        await().atMost(PATIENCE).until(() -> stuckWorker.stuckPartitions("proc").contains(stuckPartition));
        PartitionStatus status = first.status().processor("proc").partition(stuckPartition);
        assertThat(status.stuckSince()).hasValueSatisfying(since -> assertThat(since).isBefore(Instant.now()));
        Gauge<?> gauge = first.metrics().getGauges().get("runnel." + name + ".proc.stuck-partitions");
        assertThat(gauge.getValue()).isEqualTo(1);
        await().atMost(PATIENCE).until(() -> firstLog.count() >= onOther.size());

        // Its thread never returns: after grace_period the partition is given up (HALT stops
        // that worker), and the other worker processes it from the stuck event on.
        assertThat(stuckWorker.awaitStopped(PATIENCE)).isTrue();
        assertThatThrownBy(stuckWorker::await).isInstanceOf(ProcessingTimeout.class);
        await().atMost(PATIENCE).until(() -> healthy.ownedPartitions("proc").contains(stuckPartition));
        await().atMost(PATIENCE).until(() -> secondLog.snapshot().getOrDefault(key, List.of()).size() == 3);
        assertThat(secondLog.snapshot().get(key)).containsExactly(0, 1, 2);
        assertThat(first.transport().get(Keys.stuck(name, "orders", "proc", stuckPartition))).isEmpty();
        deaf.never.countDown();
    }

    private App define(String name, Blocking blocking, ProcessedLog log) {
        App app = apps.app(name, b -> b.setting("default_max_processing_time", MAX));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> {
            for (Order order : events.records()) {
                blocking.handle(order);
                log.add(order);
            }
        });
        return app;
    }

    @SuppressWarnings("unchecked")
    private static Stream<Order> orders(App app) {
        return (Stream<Order>) app.streamNamed("orders");
    }

    private static Middleware failuresInto(List<Throwable> failures) {
        return new Middleware() {
            @Override
            public void afterFailure(Delivery delivery, Throwable error) {
                failures.add(error);
            }
        };
    }
}
