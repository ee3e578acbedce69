// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.Transport;
import io.runnel.redis.jedis.JedisTransportProvider;
import io.runnel.redis.lettuce.LettuceTransportProvider;
import io.runnel.testkit.RedisCluster;
import io.runnel.testkit.RedisClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine on a real 3-master Redis Cluster through each Redis transport (Lettuce, Jedis):
 * each partition's keys share its hash slot, the partitions spread over the masters, reads
 * block per slot and go across slots while events flow, and rebalancing, failure policies and status work as on one server.
 */
@Tag("redis")
class ClusterEngineTest extends RedisBackedTest {
    private static final int PARTITIONS = 8;
    private static final int KEYS = 24;
    private static final int PER_KEY = 40;

    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();
    private final RedisCluster cluster = clusterExtension.cluster();

    private App app(TransportKind transport, String name, Consumer<App.Builder> customize) {
        return apps.app(transport, name, b -> {
            b.redisUrl(cluster.url()).setting("default_partition_count", PARTITIONS);
            customize.accept(b);
        });
    }

    private Worker startWorker(TransportKind transport, String name, ProcessedLog log) {
        App app = app(transport, name, b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(log::add));
        return app.worker().start();
    }

    @ParameterizedTest
    @TransportKind.Redis
    void each_partitions_keys_share_a_slot_and_the_partitions_spread_over_every_master(TransportKind transport) {
        App app = app(transport, TestApps.uniqueName("layout"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> { });
        Processor<?> proc = app.processor("proc");
        Set<Integer> masters = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            int slot = app.transport().hashSlot(orders.partitionKey(p));
            assertThat(List.of(proc.lockKey(p), proc.poisonedKey(p), proc.stuckKey(p), proc.retentionKey(p)))
                    .allSatisfy(k -> assertThat(app.transport().hashSlot(k)).as(k).isEqualTo(slot));
            masters.add(cluster.masterOfSlot(slot).port());
        }
        assertThat(masters).hasSize(3);
    }

    @ParameterizedTest
    @TransportKind.Redis
    void workers_joining_and_leaving_never_lose_duplicate_or_reorder_events(TransportKind transport) throws Exception {
        String name = TestApps.uniqueName("crebal");
        ProcessedLog log = new ProcessedLog();
        App producerApp = app(transport, name, b -> { });
        Stream<Order> orders = producerApp.stream("orders", Order.class, Order::key);
        RebalanceTest.joinOneByOneThenLeave(() -> startWorker(transport, name, log), orders, log, PARTITIONS, KEYS,
                PER_KEY);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(producerApp.transport().pendingCount(orders.partitionKey(p), "proc")).isZero();
        }
    }

    @ParameterizedTest
    @TransportKind.Redis
    void partitions_with_events_flowing_are_read_together_across_slots_and_idle_ones_block_per_slot(
            TransportKind transport) {
        ConnectionUrl url = ConnectionUrl.parse(cluster.url());
        Transport real = transport == TransportKind.LETTUCE ? new LettuceTransportProvider().open(url)
                : new JedisTransportProvider().open(url);
        AtomicInteger flowingAcrossSlots = new AtomicInteger();
        AtomicInteger blockingAcrossSlots = new AtomicInteger();
        Transport watching = Intercepted.method(real, "readGroupFenced", (args, proceed) -> {
            @SuppressWarnings("unchecked")
            List<FencedRead> reads = (List<FencedRead>) args[1];
            long slots = reads.stream().map(r -> real.hashSlot(r.key())).distinct().count();
            if (slots > 1) {
                (args[3] == null ? flowingAcrossSlots : blockingAcrossSlots).incrementAndGet();
            }
            return proceed.call();
        });
        try {
            App app = app(transport, TestApps.uniqueName("cflow"),
                    b -> b.module(binder -> binder.bind(Transport.class).toInstance(watching)));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            orders.sendAll(TestApps.orders(KEYS, PER_KEY * 5));
            ProcessedLog log = new ProcessedLog();
            // A small prefetch: many reads while the backlog drains, with several partitions ready at once.
            app.processor(orders, "proc", o -> o.prefetchCount(5), events -> events.records().forEach(log::add));
            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(60)).until(() -> log.count() == KEYS * PER_KEY * 5);
            worker.stop();
            log.assertExactlyOnceInOrder(KEYS, PER_KEY * 5);
            assertThat(flowingAcrossSlots.get()).as("non-blocking reads over several slots").isPositive();
            assertThat(blockingAcrossSlots.get()).as("blocking reads over several slots").isZero();
        } finally {
            real.close();
        }
    }

    @ParameterizedTest
    @TransportKind.Redis
    void failed_events_go_to_dead_letters_in_another_slot_and_a_quarantined_partition_shows_in_status(
            TransportKind transport) {
        App app = app(transport, TestApps.uniqueName("cfail"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "ignoring", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(), events -> {
            for (Order order : events.records()) {
                if (order.key().equals("bad") && order.seq() == 3) {
                    throw new IllegalStateException("poison " + order.seq());
                }
                log.add(order);
            }
        });
        app.processor(orders, "quarantining", o -> o.exceptionPolicy(ExceptionPolicy.QUARANTINE), events -> {
            for (Order order : events.records()) {
                if (order.key().equals("bad") && order.seq() == 3) {
                    throw new IllegalStateException("poison " + order.seq());
                }
            }
        });
        Stream<Order> dead = orders.deadLetters();
        int bad = orders.partitionOf(new Order("bad", 0));
        assertThat(app.transport().hashSlot(dead.partitionKey(0))).isNotEqualTo(app.transport().hashSlot(orders.partitionKey(bad)));
        for (int seq = 0; seq < 6; seq++) {
            orders.sendAll(List.of(new Order("bad", seq)));
        }

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> app.transport().length(dead.partitionKey(0)) == 1
                && log.count() == 5);
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.poisonedPartitions("quarantining").equals(Set.of(bad)));
        assertThat(dead.codec().decode(app.transport().range(dead.partitionKey(0), "-", "+", 10).get(0).fields()))
                .isEqualTo(new Order("bad", 3));
        assertThat(app.status().processor("quarantining").partition(bad).poisoned()).isTrue();
        worker.stop();
    }
}
