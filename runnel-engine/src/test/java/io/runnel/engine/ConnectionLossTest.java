// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.runnel.api.transport.TransportException;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis restarts (with AOF) while a worker processes and a producer sends: the worker
 * retries with backoff, logs each outage once rather than on every call, and resumes with
 * nothing lost and per-key order kept.
 */
@Tag("redis")
class ConnectionLossTest extends RedisBackedTest {
    private static final int KEYS = 16;
    private static final int PER_KEY = 60;

    @ParameterizedTest
    @TransportKind.Redis
    void workers_ride_out_a_redis_restart(TransportKind transport) throws Exception {
        Logger runnel = (Logger) LoggerFactory.getLogger("io.runnel");
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        runnel.addAppender(logs);
        Level before = runnel.getLevel();
        runnel.setLevel(Level.INFO);
        try (RedisServer server = RedisServer.start("--appendonly", "yes", "--appendfsync", "always")) {
            String name = TestApps.uniqueName("loss");
            App app = apps.app(transport, name, b -> b.redisUrl(server.url()));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            ProcessedLog log = new ProcessedLog();
            app.processor(orders, "proc", events -> {
                for (Order order : events.records()) {
                    Thread.sleep(1);
                    log.add(order);
                }
            });
            Worker worker = app.worker().start();
            RebalanceTest.awaitBalanced(List.of(worker), 4);

            AtomicBoolean sentAll = new AtomicBoolean();
            Thread producer = Thread.ofVirtual().start(() -> {
                List<Order> all = TestApps.orders(KEYS, PER_KEY);
                for (int i = 0; i < all.size(); i += KEYS) {
                    List<Order> batch = all.subList(i, i + KEYS);
                    while (true) {
                        try {
                            orders.sendAll(batch); // a refused batch is sent again: at-least-once
                            break;
                        } catch (TransportException e) {
                            pause(50);
                        }
                    }
                    pause(5);
                }
                sentAll.set(true);
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> log.count() >= 150);

            server.restart();

            producer.join(Duration.ofSeconds(120));
            assertThat(sentAll).isTrue();
            await().atMost(Duration.ofSeconds(60)).until(() -> log.snapshot().values().stream()
                    .mapToLong(seqs -> seqs.stream().distinct().count()).sum() == KEYS * PER_KEY);
            log.assertAtLeastOnceInOrder(KEYS, PER_KEY);
            assertThat(worker.failure()).isEmpty();
            assertThat(worker.ownedPartitions("proc")).hasSize(4);

            // Each activity that failed said so once for this outage, not once per retry.
            Map<String, Long> outageWarnings = logs.list.stream()
                    .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains("retrying with backoff"))
                    .map(e -> e.getFormattedMessage().replaceAll(": .*", ""))
                    .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
            assertThat(outageWarnings.values()).allMatch(n -> n == 1);
            worker.stop(); // while the server is still there to release to
        } finally {
            runnel.detachAppender(logs);
            runnel.setLevel(before);
        }
    }

    /**
     * Stopping during an outage cannot release or announce anything, but it must not wait a
     * command timeout (60 s by default) per thing it tries: it gives up at once and leaves the
     * locks and heartbeat to expire.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void a_worker_stops_promptly_while_redis_is_down(TransportKind transport) {
        try (RedisServer server = RedisServer.start()) {
            String name = TestApps.uniqueName("down");
            App app = apps.app(transport, name, b -> b.redisUrl(server.url()));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
            Worker worker = app.worker().start();
            RebalanceTest.awaitBalanced(List.of(worker), 4);

            server.stop();
            long start = System.nanoTime();
            app.close();
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // The worker's own bound (grace_period 5 s + read_timeout + 10 s) plus the leader's
            // 5 s: well under the 60 s that one queued command would wait.
            assertThat(took).isLessThan(Duration.ofSeconds(25));
            assertThat(worker.awaitStopped(Duration.ZERO)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
