// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.ExceptionPolicy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link App#status()} against known situations: two workers sharing a processor with one
 * partition poisoned, and a second processor that nobody runs with a backlog on every
 * partition. Also the lifecycle of the {@code __pois} mark that makes poisoning visible.
 */
@Tag("redis")
class StatusTest extends RedisBackedTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LOCK_EXPIRY = Duration.ofSeconds(4);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    static final class Poison extends RuntimeException {
        Poison(String message) {
            super(message);
        }
    }

    /**
     * The app every "process" of a test defines alike: 4 partitions of orders; {@code proc}
     * quarantines a partition when ("bad", 3) fails (every time, or only the first time);
     * {@code later} is defined but run by no worker.
     */
    private App define(TransportKind transport, String name, ProcessedLog log, AtomicBoolean failing) {
        App app = apps.app(transport, name, b -> { });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.QUARANTINE), events -> {
            for (Order order : events.records()) {
                if (order.key().equals("bad") && order.seq() == 3 && failing.get()) {
                    throw new Poison("poison " + order.seq());
                }
                log.add(order);
            }
        });
        app.processor(orders, "later", events -> {
            for (Order ignored : events.records()) {
                throw new AssertionError("nobody runs 'later'");
            }
        });
        return app;
    }

    @SuppressWarnings("unchecked")
    private static Stream<Order> orders(App app) {
        return (Stream<Order>) app.streamNamed("orders");
    }

    /** One key per partition other than the bad key's. */
    private static Map<Integer, String> goodKeys(Stream<Order> orders, int bad) {
        Map<Integer, String> keys = new HashMap<>();
        for (int n = 0; keys.size() < orders.partitionCount() - 1; n++) {
            int p = orders.partitionOf(new Order("good-" + n, 0));
            if (p != bad) {
                keys.putIfAbsent(p, "good-" + n);
            }
        }
        return keys;
    }

    @ParameterizedTest
    @TransportKind.Every
    void status_shows_members_owners_backlogs_and_the_poisoned_partition(TransportKind transport) {
        String name = TestApps.uniqueName("status");
        ProcessedLog log = new ProcessedLog();
        AtomicBoolean failing = new AtomicBoolean(true);
        App first = define(transport, name, log, failing);
        App second = define(transport, name, log, failing);
        Stream<Order> orders = orders(first);
        int bad = orders.partitionOf(new Order("bad", 0));
        Map<Integer, String> good = goodKeys(orders, bad);
        // 'later' gets its consumer groups (from the start of the stream) but no worker.
        first.resetProcessor("later", "0");
        Instant beforeJoin = Instant.now().truncatedTo(ChronoUnit.MILLIS);

        // Two workers ("processes") share 'proc' before any event exists.
        Worker one = first.worker("proc").start();
        Worker two = second.worker("proc").start();
        await().atMost(PATIENCE).until(() -> one.ownedPartitions("proc").size() == 2
                && two.ownedPartitions("proc").size() == 2);
        Set<Integer> all = new HashSet<>(one.ownedPartitions("proc"));
        all.addAll(two.ownedPartitions("proc"));
        assertThat(all).containsExactlyInAnyOrder(0, 1, 2, 3);

        Instant beforeSend = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<Order> sent = new ArrayList<>();
        for (int seq = 0; seq < 5; seq++) {
            for (String key : good.values()) {
                sent.add(new Order(key, seq));
            }
        }
        for (int seq = 0; seq <= 3; seq++) {
            sent.add(new Order("bad", seq)); // seq 3 poisons the partition
        }
        orders.sendAll(sent);
        Worker poisoner = one.ownedPartitions("proc").contains(bad) ? one : two;
        await().atMost(PATIENCE).until(() -> poisoner.poisonedPartitions("proc").contains(bad)
                && log.count() == 5 * 3 + 3);

        await().atMost(PATIENCE).untilAsserted(() -> {
            Status status = first.status();
            assertThat(status.app()).isEqualTo(name);
            assertThat(status.at()).isBetween(beforeSend, Instant.now());
            assertThat(status.leader()).isPresent();
            assertThat(status.leader().get()).isIn(one.id(), two.id());
            assertThat(status.leader().get()).isEqualTo(one.isLeader() ? one.id() : two.id());
            assertThat(status.processors()).extracting(ProcessorStatus::name).containsExactly("proc", "later");
            if (transport == TransportKind.MEMORY) {
                assertThat(status.redisMemory()).as("unknown: no server").isEmpty();
            } else {
                assertThat(status.redisMemory()).singleElement().satisfies(m -> {
                    assertThat(m.usedBytes()).isPositive();
                    assertThat(m.full()).isFalse();
                    assertThat(m.policy()).isNotBlank();
                });
            }

            ProcessorStatus proc = status.processor("proc");
            assertThat(proc.stream()).isEqualTo("orders");
            assertThat(proc.members()).hasSize(2);
            Map<Set<Integer>, String> executorByPartitions = new HashMap<>();
            for (MemberStatus m : proc.members()) {
                executorByPartitions.put(Set.copyOf(m.partitions()), m.executor());
                assertThat(m.joinedAt()).isBetween(beforeJoin.minusMillis(1), status.at());
                assertThat(m.heartbeatAge()).isPresent();
                assertThat(m.heartbeatAge().get()).isBetween(Duration.ZERO, LOCK_EXPIRY);
            }
            assertThat(executorByPartitions.keySet())
                    .containsExactlyInAnyOrder(one.ownedPartitions("proc"), two.ownedPartitions("proc"));
            for (int p = 0; p < 4; p++) {
                PartitionStatus ps = proc.partition(p);
                Set<Integer> ownersPartitions = (one.ownedPartitions("proc").contains(p) ? one : two).ownedPartitions("proc");
                assertThat(ps.partition()).isEqualTo(p);
                assertThat(ps.owner()).as("owner of %s", p).contains(executorByPartitions.get(ownersPartitions));
                assertThat(ps.lag()).as("lag of %s", p).isEqualTo(OptionalLong.of(0));
                if (p == bad) {
                    assertThat(ps.length()).isEqualTo(4);
                    assertThat(ps.pending()).as("the failed event stays pending").isEqualTo(1);
                    assertThat(ps.oldestPendingAge()).isPresent();
                    assertThat(ps.oldestPendingAge().get())
                            .isBetween(Duration.ZERO, Duration.between(beforeSend, status.at()).plusMillis(1));
                    assertThat(ps.poisoned()).isTrue();
                } else {
                    assertThat(ps.length()).isEqualTo(5);
                    assertThat(ps.pending()).isZero();
                    assertThat(ps.oldestPendingAge()).isEmpty();
                    assertThat(ps.poisoned()).isFalse();
                }
            }

            ProcessorStatus later = status.processor("later");
            assertThat(later.stream()).isEqualTo("orders");
            assertThat(later.members()).isEmpty();
            for (int p = 0; p < 4; p++) {
                PartitionStatus ps = later.partition(p);
                long length = p == bad ? 4 : 5;
                assertThat(ps).usingRecursiveComparison().ignoringFields("oldestEntryAge", "entriesRead", "leaseToken", "oldestPendingDeliveries")
                        .isEqualTo(new PartitionStatus(p, Optional.empty(), length, 0,
                                Optional.empty(), OptionalLong.of(length), Optional.empty(), 0, false, Optional.empty(), Optional.empty(), List.of(), OptionalInt.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty(), 0));
                assertThat(ps.oldestEntryAge()).as("oldest entry of %s", p).isPresent();
            }
        });
    }

    @ParameterizedTest
    @TransportKind.Memory
    void status_only_reads_and_shows_an_app_nobody_ran(TransportKind transport) {
        String name = TestApps.uniqueName("quiet");
        App app = define(transport, name, new ProcessedLog(), new AtomicBoolean(true));
        Stream<Order> orders = orders(app);
        orders.send(new Order("x", 0));
        int p = orders.partitionOf(new Order("x", 0));

        Status status = app.status();

        assertThat(status.leader()).isEmpty();
        for (String processor : List.of("proc", "later")) {
            ProcessorStatus ps = status.processor(processor);
            assertThat(ps.members()).isEmpty();
            for (int i = 0; i < 4; i++) {
                // No consumer group yet: nothing pending, lag unknown.
                assertThat(ps.partition(i)).usingRecursiveComparison().ignoringFields("oldestEntryAge", "entriesRead", "leaseToken", "oldestPendingDeliveries")
                        .isEqualTo(new PartitionStatus(i, Optional.empty(), i == p ? 1 : 0, 0,
                                Optional.empty(), OptionalLong.empty(), Optional.empty(), 0, false, Optional.empty(), Optional.empty(), List.of(), OptionalInt.empty(), Optional.empty(), OptionalLong.empty(), Optional.empty(), 0));
                assertThat(ps.partition(i).oldestEntryAge().isPresent()).as("oldest entry of %s", i).isEqualTo(i == p);
                assertThat(app.transport().groupExists(orders.partitionKey(i), processor)).isFalse();
            }
            assertThat(app.transport().get(Keys.members(name, "orders", processor))).isEmpty();
            assertThat(app.transport().get(Keys.adminLock(name, "orders", processor))).isEmpty();
            assertThat(app.transport().length(Keys.control(name, "orders", processor))).isZero();
        }
        assertThat(app.transport().get(Keys.leader(name))).isEmpty();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void the_poisoned_mark_names_the_executor_and_error_and_goes_when_the_partition_is_released(TransportKind transport)
            throws Exception {
        String name = TestApps.uniqueName("mark");
        App app = define(transport, name, new ProcessedLog(), new AtomicBoolean(true));
        Stream<Order> orders = orders(app);
        int bad = orders.partitionOf(new Order("bad", 0));
        Worker worker = app.worker("proc").start();
        orders.sendAll(List.of(new Order("bad", 2), new Order("bad", 3)));

        await().atMost(PATIENCE).until(() -> worker.poisonedPartitions("proc").contains(bad));
        String markKey = Keys.poisoned(name, "orders", "proc", bad);
        await().atMost(PATIENCE).until(() -> app.transport().get(markKey).isPresent());
        JsonNode mark = JSON.readTree(app.transport().get(markKey).orElseThrow());
        assertThat(mark.path("executor").asText())
                .isEqualTo(PartitionLocks.ownerOf(app.transport().get(Keys.lock(name, "orders", "proc", bad)).orElseThrow()))
                .isEqualTo(app.status().processor("proc").partition(bad).owner().orElseThrow());
        assertThat(mark.path("worker").asText()).isEqualTo(worker.id());
        assertThat(mark.path("error").asText()).isEqualTo(Poison.class.getName());
        assertThat(mark.path("message").asText()).isEqualTo("poison 3");
        assertThat(Instant.parse(mark.path("poisoned_at").asText())).isBefore(Instant.now().plusSeconds(1));
        assertThat(app.status().processor("proc").partition(bad).poisoned()).isTrue();

        worker.stop();

        assertThat(app.transport().get(markKey)).isEmpty();
        assertThat(app.status().processor("proc").partition(bad).poisoned()).isFalse();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void a_new_owner_clears_a_dead_owners_mark_and_retries_the_partition(TransportKind transport) {
        String name = TestApps.uniqueName("retry");
        ProcessedLog log = new ProcessedLog();
        AtomicBoolean failing = new AtomicBoolean(true);
        App crashed = define(transport, name, log, failing);
        Stream<Order> orders = orders(crashed);
        int bad = orders.partitionOf(new Order("bad", 0));
        Worker doomed = crashed.worker("proc").start();
        orders.sendAll(List.of(new Order("bad", 2), new Order("bad", 3)));
        await().atMost(PATIENCE).until(() -> doomed.poisonedPartitions("proc").contains(bad));
        String markKey = Keys.poisoned(name, "orders", "proc", bad);
        await().atMost(PATIENCE).until(() -> crashed.transport().get(markKey).isPresent());

        doomed.abandon(); // like a killed process: the lock expires, the mark stays behind
        assertThat(crashed.transport().get(markKey)).isPresent();
        failing.set(false);
        App next = define(transport, name, log, failing);
        Worker heir = next.worker("proc").start();

        await().atMost(PATIENCE).until(() -> log.snapshot().get("bad").contains(3));
        assertThat(crashed.transport().get(markKey)).isEmpty();
        await().atMost(PATIENCE).untilAsserted(() -> {
            PartitionStatus ps = next.status().processor("proc").partition(bad);
            assertThat(ps.poisoned()).isFalse();
            assertThat(ps.pending()).isZero();
            assertThat(ps.owner()).isPresent();
        });
        assertThat(heir.poisonedPartitions("proc")).isEmpty();
    }
}
