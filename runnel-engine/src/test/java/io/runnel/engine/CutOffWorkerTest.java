// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.testkit.LoopbackProxy;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two worker processes while events flow: one is cut off from Redis until the other has
 * taken all its partitions (longer than lock_expiry), twice, through a loopback proxy that holds its traffic and delivers it late
 * (its reads, acks and heartbeats then reach Redis after the other worker took its
 * partitions); or Redis itself restarts mid-stream. At the end nothing is lost or left
 * pending, and every key's events were first processed in send order.
 */
@Tag("redis")
@Tag("process")
class CutOffWorkerTest {
    private static final int PARTITIONS = 8;
    private static final int KEYS = 16;
    private static final Duration LOCK_EXPIRY = Duration.ofSeconds(3);

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    @ParameterizedTest
    @TransportKind.Redis
    void a_worker_cut_off_twice_past_lock_expiry_loses_nothing_and_keeps_every_key_in_order(TransportKind kind)
            throws Exception {
        cutOffTwice(kind, KEYS, 1);
    }

    /** The same with max_in_flight, over more keys than partitions so that each has several in flight. */
    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = "LETTUCE")
    void with_max_in_flight_a_worker_cut_off_twice_loses_nothing_and_keeps_every_key_in_order(TransportKind kind)
            throws Exception {
        cutOffTwice(kind, 64, 8);
    }

    private void cutOffTwice(TransportKind kind, int keys, int maxInFlight) throws Exception {
        RedisServer redis = RedisServer.start();
        closing.add(redis);
        LoopbackProxy proxy = new LoopbackProxy(redis.port());
        closing.add(proxy);
        String name = TestApps.uniqueName("cut");
        Map<String, String> env = settings(kind);
        ChildWorkers direct = children(env, redis.url());
        ChildWorkers proxied = children(env, "redis://127.0.0.1:" + proxy.port());
        Flow flow = start(name, env, redis.url(), direct, proxied, keys, maxInFlight);

        for (int cut = 0; cut < 2; cut++) {
            await().atMost(Duration.ofSeconds(60)).until(() -> LockOwners.of(flow.app, PARTITIONS).size() == 2);
            int before = flow.processed();
            proxy.cut();
            // Cut past lock_expiry: the other worker has taken every partition, and gone on.
            await().atMost(Duration.ofSeconds(60)).until(() -> LockOwners.of(flow.app, PARTITIONS).size() == 1
                    && LockOwners.locked(flow.app, PARTITIONS) == PARTITIONS && flow.processed() > before + 50);
            proxy.resume();
            int resumed = flow.processed();
            await().atMost(Duration.ofSeconds(60)).until(() -> flow.processed() > resumed + 50);
        }

        flow.finishAndCheck();
    }

    @ParameterizedTest
    @TransportKind.Redis
    void redis_restarting_mid_stream_loses_nothing_and_keeps_every_key_in_order(TransportKind kind) throws Exception {
        RedisServer redis = RedisServer.start("--appendonly", "yes", "--appendfsync", "always");
        closing.add(redis);
        String name = TestApps.uniqueName("restart");
        Map<String, String> env = settings(kind);
        ChildWorkers workers = children(env, redis.url());
        Flow flow = start(name, env, redis.url(), workers, workers, KEYS, 1);

        for (int restart = 0; restart < 2; restart++) {
            int before = flow.processed();
            redis.restart();
            await().atMost(Duration.ofSeconds(60)).until(() -> flow.processed() > before + 100);
        }

        flow.finishAndCheck();
    }

    private static Map<String, String> settings(TransportKind kind) {
        return ChildWorkers.faultTestSettings(kind, PARTITIONS, LOCK_EXPIRY);
    }

    private ChildWorkers children(Map<String, String> env, String url) {
        Map<String, String> withUrl = new LinkedHashMap<>(env);
        withUrl.put("RUNNEL_REDIS_URL", url);
        ChildWorkers children = new ChildWorkers(withUrl);
        closing.add(children);
        return children;
    }

    /** Starts worker "a" through {@code first} and "b" through {@code second}, and a producer sending rounds of every key. */
    private Flow start(String name, Map<String, String> env, String url, ChildWorkers first, ChildWorkers second,
                       int keys, int maxInFlight) throws Exception {
        Map<String, String> local = new LinkedHashMap<>(env);
        local.put("RUNNEL_REDIS_URL", url);
        App app = LeaseWorkerMain.define(App.builder(name).environment(local), 0);
        closing.add(app);
        String inFlight = Integer.toString(maxInFlight);
        Process a = first.start(LeaseWorkerMain.class, name, "a", name, "5", inFlight);
        Process b = second.start(LeaseWorkerMain.class, name, "b", name, "5", inFlight);
        closing.add(a::destroyForcibly);
        closing.add(b::destroyForcibly);
        Flow flow = new Flow(app, List.of(a, b), keys);
        await().atMost(Duration.ofSeconds(60)).until(() -> flow.processed() > 0);
        return flow;
    }

    /** The events sent so far, and what the workers recorded in "seen". */
    private static final class Flow {
        private final App app;
        private final List<Process> workers;
        private final Stream<Order> orders;
        private final Stream<WorkerProcessMain.Seen> seen;
        private final AtomicInteger rounds = new AtomicInteger();
        private final AtomicBoolean sending = new AtomicBoolean(true);
        private final Thread producer;
        private final int keys;

        @SuppressWarnings("unchecked")
        Flow(App app, List<Process> workers, int keys) {
            this.app = app;
            this.keys = keys;
            this.workers = workers;
            this.orders = (Stream<Order>) app.streamNamed("orders");
            this.seen = (Stream<WorkerProcessMain.Seen>) app.streamNamed("seen");
            this.producer = Thread.ofVirtual().name("producer").start(this::produce);
        }

        /** Sends a round (every key's next event) every 20 ms; a round Redis refused is sent again. */
        private void produce() {
            while (sending.get()) {
                int round = rounds.get();
                List<Order> batch = new ArrayList<>(keys);
                for (int k = 0; k < keys; k++) {
                    batch.add(new Order("key-" + k, round));
                }
                try {
                    orders.sendAll(batch);
                    rounds.incrementAndGet();
                    Thread.sleep(20);
                } catch (RuntimeException e) {
                    sleepQuietly(); // Redis restarting: the round goes again (at least once, in order per key)
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int processed() {
            try {
                return SeenRecords.read(seen).distinct();
            } catch (RuntimeException e) {
                return 0; // Redis restarting
            }
        }

        void finishAndCheck() throws Exception {
            sending.set(false);
            producer.join();
            int perKey = rounds.get();
            await().atMost(Duration.ofSeconds(120)).until(() -> processed() == keys * perKey);
            SeenRecords.read(seen).log().assertAtLeastOnceInOrder(keys, perKey);
            // Everything processed is acknowledged: nothing stays pending out of an owner's reach.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (int p = 0; p < PARTITIONS; p++) {
                    assertThat(app.transport().pendingCount(orders.partitionKey(p), "proc")).as("pending of %s", p).isZero();
                }
            });
            for (Process w : workers) {
                w.destroy();
            }
            for (Process w : workers) {
                assertThat(w.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }

        private static void sleepQuietly() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
