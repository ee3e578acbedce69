package io.runnel.engine;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.runnel.api.transport.Transport;
import io.runnel.testkit.RedisServer;

import java.time.Duration;
import java.util.List;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis state deleted under a running worker. One partition's stream key (a DEL by hand):
 * Redis then refuses every read that names it with NOGROUP, which used to stall the
 * worker's other partitions too, since one read covers them all; the worker puts the group
 * back and goes on, on every transport. Everything (a FLUSHALL, or a restart of a Redis
 * without persistence): streams, groups, membership, locks and leadership are rebuilt.
 */
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
    @EnumSource(TransportKind.class)
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
    @EnumSource(value = TransportKind.class, names = {"LETTUCE", "JEDIS"})
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
                Status.ProcessorStatus proc = app.status().processor("proc");
                assertThat(proc.members()).hasSize(1);
                assertThat(proc.partitions()).allSatisfy(p -> assertThat(p.owner()).isPresent());
                assertThat(app.status().leader()).isPresent();
            });
            assertThat(run.worker().ownedPartitions("proc")).hasSize(4);
        }
    }
}
