// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisServer;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Redis state deleted under a running worker. One partition's stream key (a DEL by hand):
 * Redis then refuses every read that names it with NOGROUP, which used to stall the
 * worker's other partitions too, since one read covers them all; the worker puts the group
 * back and goes on, on every transport. One partition's key overwritten with another type
 * (a SET by hand): that partition is quarantined, and the others go on. Everything (a FLUSHALL, or a restart of a Redis
 * without persistence): streams, groups, membership, locks and leadership are rebuilt.
 */
@Tag("redis")
class DeletedStreamKeyTest extends RedisBackedTest {
    private static final int KEYS = 8;
    private static final List<Order> ALL = TestApps.orders(KEYS, 10);

    /** A running worker that logs what it processes, after the first half of {@link #ALL} went through it. */
    private record Running(App app, Stream<Order> orders, ProcessedLog log, Worker worker) {
        static Running halfwayThrough(App app) {
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            ProcessedLog log = new ProcessedLog();
            app.processor(orders, "proc", events -> {
                for (Order order : events.records()) {
                    log.add(order);
                }
            });
            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.ownedPartitions("proc").size() == 4);
            orders.sendAll(ALL.stream().filter(o -> o.seq() < 5).toList());
            await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == KEYS * 5);
            return new Running(app, orders, log, worker);
        }

        void sendSecondHalf() {
            orders.sendAll(ALL.stream().filter(o -> o.seq() >= 5).toList());
        }
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_deleted_partition_key_gets_its_group_back_and_no_partition_stalls(TransportKind transport) {
        Running run = Running.halfwayThrough(apps.app(transport, TestApps.uniqueName("deleted"), b -> { }));
        Transport redis = run.app().transport();
        String deleted = run.orders().partitionKey(run.orders().partitionOf(new Order("key-0", 0)));

        redis.delete(List.of(deleted));
        run.sendSecondHalf();

        // Every later event arrives, on the deleted partition (re-created by the XADDs, or by
        // the group's re-creation, whichever came first) as on the others.
        await().atMost(Duration.ofSeconds(30)).until(() -> run.log().count() == KEYS * 10);
        run.log().assertExactlyOnceInOrder(KEYS, 10);
        assertThat(redis.groupExists(deleted, "proc")).isTrue();
        assertThat(run.worker().failure()).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.pendingCount(deleted, "proc") == 0);
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_partition_key_overwritten_with_another_type_is_quarantined_and_the_others_go_on(TransportKind transport)
            throws Exception {
        App app = apps.app(transport, TestApps.uniqueName("wrongtype"), b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        int broken = orders.partitionOf(new Order("key-0", 0));
        String brokenKey = orders.partitionKey(broken);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch overwritten = new CountDownLatch(1);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", events -> {
            for (Order order : events.records()) {
                if (order.key().equals("key-0") && order.seq() == 5) {
                    // Hold an event of the broken partition, so its ack is handed over after the overwrite.
                    holding.countDown();
                    overwritten.await();
                }
                log.add(order);
            }
        });
        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.ownedPartitions("proc").size() == 4);
        orders.sendAll(ALL.stream().filter(o -> o.seq() <= 5).toList());
        assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

        app.transport().set(brokenKey, "not a stream", null);
        overwritten.countDown();
        List<Order> healthyRest = ALL.stream().filter(o -> o.seq() > 5 && orders.partitionOf(o) != broken).toList();
        orders.sendAll(healthyRest);

        List<String> healthyKeys = healthyRest.stream().map(Order::key).distinct().toList();
        assertThat(healthyKeys).isNotEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> healthyKeys.stream()
                .allMatch(key -> log.snapshot().getOrDefault(key, List.of()).size() == 10));
        log.snapshot().forEach((key, seqs) -> assertThat(seqs).as(key).isSorted().doesNotHaveDuplicates());
        // Whatever the exception policy (HALT here), only that partition stops.
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.poisonedPartitions("proc").equals(Set.of(broken)));
        // Acks of the broken key cannot go through; they must not hold back the others'.
        for (int p = 0; p < 4; p++) {
            String key = orders.partitionKey(p);
            if (p != broken) {
                await().atMost(Duration.ofSeconds(10)).until(() -> app.transport().pendingCount(key, "proc") == 0);
            }
        }
        assertThat(worker.failure()).isEmpty();
        assertThat(app.status().processor("proc").partition(broken).poisoned()).isTrue();
        assertThatThrownBy(() -> orders.send(new Order("key-0", 10)))
                .isInstanceOfSatisfying(CommandRejected.class, e -> assertThat(e.isWrongType()).isTrue());
    }

    @ParameterizedTest
    @TransportKind.Redis
    void a_worker_rebuilds_everything_after_a_flushall(TransportKind transport) {
        try (RedisServer server = RedisServer.start()) {
            App app = apps.app(transport, TestApps.uniqueName("flushed"), b -> b.redisUrl(server.url()));
            Running run = Running.halfwayThrough(app);

            server.flushAll();
            run.sendSecondHalf();

            await().atMost(Duration.ofSeconds(60)).until(() -> run.log().snapshot().values().stream()
                    .mapToLong(seqs -> seqs.stream().distinct().count()).sum() == KEYS * 10);
            run.log().assertAtLeastOnceInOrder(KEYS, 10);
            assertThat(run.worker().failure()).isEmpty();
            // Membership, partition locks and leadership are back in Redis, held by this worker.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ProcessorStatus proc = app.status().processor("proc");
                assertThat(proc.members()).hasSize(1);
                assertThat(proc.partitions()).allSatisfy(p -> assertThat(p.owner()).isPresent());
                assertThat(app.status().leader()).isPresent();
            });
            assertThat(run.worker().ownedPartitions("proc")).hasSize(4);
        }
    }
}
