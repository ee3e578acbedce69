// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.PartlyAnswered;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.ServerMemory;
import io.runnel.api.transport.ServerOutOfMemory;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * What every Redis transport must do on a real 3-master Redis Cluster beyond the
 * {@link TransportConformanceTest} contract: split calls that span hash slots by slot,
 * refuse the one it cannot split (a blocking read over several slots), check a fence before
 * appending outside the fence's slot, follow MOVED and ASK redirections when a slot moves
 * behind its back, and fail fast, then recover, when a node dies. A transport module runs it
 * with one small subclass:
 *
 * <pre>{@code
 * class LettuceClusterTest extends RedisClusterTransportTest {
 *     @Override
 *     protected Transport openTransport(String url) {
 *         return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
 *     }
 * }
 * }</pre>
 */
@Tag("redis")
public abstract class RedisClusterTransportTest {
    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();
    private RedisCluster cluster;
    private Transport transport;

    /** For a transport module's subclass. */
    protected RedisClusterTransportTest() {
    }

    /**
     * Opens the transport under test on a {@code redis-cluster://} (or other) URL.
     *
     * @param url the URL to open
     * @return a new transport, which the test closes
     */
    protected abstract Transport openTransport(String url);

    @BeforeEach
    void open() {
        cluster = clusterExtension.cluster();
        transport = openTransport(cluster.url());
    }

    @AfterEach
    void close() {
        transport.close();
    }

    /** Stream {@code s<i>} and its lock {@code l<i>} share a hash tag, as a partition's keys do. */
    private static String stream(int i) {
        return "s" + i + "{p" + i + "}";
    }

    private static Fence fence(int i, String token) {
        return new Fence("l" + i + "{p" + i + "}", token);
    }

    /** Twelve partitions' streams, which lie on every master. */
    private static List<Integer> partitions() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            all.add(i);
        }
        return all;
    }

    @Test
    void slots_are_the_servers_and_the_streams_lie_on_every_master() {
        Set<Integer> masters = new HashSet<>();
        for (int i : partitions()) {
            long slot = (Long) cluster.nodes().get(0).call("CLUSTER", "KEYSLOT", stream(i));
            assertThat(transport.hashSlot(stream(i))).isEqualTo((int) slot);
            assertThat(transport.hashSlot(fence(i, "t").lockKey())).isEqualTo((int) slot);
            masters.add(cluster.masterOfSlot((int) slot).port());
        }
        assertThat(masters).hasSize(3);
    }

    @Test
    void the_memory_of_every_master_is_read() {
        List<ServerMemory> memory = transport.serverMemory();

        assertThat(memory).extracting(ServerMemory::server).containsExactlyInAnyOrderElementsOf(
                cluster.masters().stream().map(m -> "127.0.0.1:" + m.port()).toList());
        assertThat(memory).allSatisfy(m -> assertThat(m.usedBytes()).isPositive());
    }

    /**
     * A master at maxmemory refuses appends to its slots with {@link ServerOutOfMemory}, and
     * runs the coordination keys' scripts ({@code allow-oom}, keys declared, one slot each),
     * retention passes, and the per-master scripts of fenced reads and acks (flags
     * {@code no-writes} and {@code allow-oom}); the other masters serve everything.
     */
    @Test
    void a_master_at_maxmemory_refuses_appends_and_runs_the_coordination_and_retention_scripts() {
        String stream = stream(0);
        RedisCluster.Node full = cluster.masterOf(stream);
        String elsewhere = partitions().stream().map(RedisClusterTransportTest::stream)
                .filter(k -> cluster.masterOf(k).port() != full.port()).findFirst().orElseThrow();
        transport.append(List.of(new Append(stream, null, Map.of("n", bytes("1")), 0)));
        transport.createGroup(List.of(stream), "g", "0");
        full.call("CONFIG", "SET", "maxmemory", "1");
        try {
            assertThatThrownBy(() -> transport.append(List.of(new Append(stream, null, Map.of("n", bytes("2")), 0))))
                    .isInstanceOf(ServerOutOfMemory.class).hasMessageContaining("127.0.0.1:" + full.port() + " because");
            String lock = fence(0, "t").lockKey();
            transport.set(lock, "t", Duration.ofSeconds(60));
            assertThat(transport.setIfAbsent(List.of(lock, fence(0, "u").lockKey() + "x"), "u", Duration.ofSeconds(60)))
                    .containsExactly(false, true);
            assertThat(transport.increment("epoch{p0}")).isEqualTo(1);
            assertThat(transport.extendIfOwner(lock, "t", Duration.ofSeconds(60))).isTrue();
            // The fenced read's check (no-writes) and the fenced ack (allow-oom in its cross-slot form).
            Fence held = fence(0, "t");
            List<StreamEntry> read = transport.readGroupFenced("g", List.of(new FencedRead(held, stream, ">")), 10, null)
                    .get(0).entries();
            assertThat(read).hasSize(1);
            assertThat(transport.ackFenced("g", List.of(new FencedAck(held, stream, List.of(read.get(0).id())))))
                    .containsExactly(true);
            assertThat(transport.retain(new RetentionPass(stream, "trim{p0}", false, Duration.ZERO, 0)).length())
                    .isEqualTo(1);
            assertThat(transport.append(List.of(new Append(elsewhere, null, Map.of("n", bytes("1")), 0)))).hasSize(1);
        } finally {
            full.call("CONFIG", "SET", "maxmemory", "0");
        }
    }

    @Test
    void appends_reads_acks_and_multi_key_calls_are_split_by_slot() {
        List<Append> appends = new ArrayList<>();
        for (int i : partitions()) {
            appends.add(new Append(stream(i), null, Map.of("n", bytes(Integer.toString(i))), 0));
        }
        assertThat(transport.append(appends)).hasSize(12);
        List<String> streams = partitions().stream().map(RedisClusterTransportTest::stream).toList();
        transport.createGroup(streams, "g", "0");
        List<String> locks = partitions().stream().map(i -> fence(i, "t").lockKey()).toList();
        assertThat(transport.setIfAbsent(locks, "t", Duration.ofMinutes(1))).containsOnly(true);
        assertThat(transport.getAll(locks)).containsOnly(Optional.of("t"));

        List<FencedRead> reads = partitions().stream().map(i -> new FencedRead(fence(i, "t"), stream(i), ">")).toList();
        List<FencedRead.Result> results = transport.readGroupFenced("g", reads, 10, null);
        List<FencedAck> acks = new ArrayList<>();
        for (int i : partitions()) {
            FencedRead.Result r = results.get(i);
            assertThat(r.held()).isTrue();
            assertThat(r.entries()).hasSize(1);
            assertThat(new String(r.entries().get(0).fields().get("n"), StandardCharsets.UTF_8)).isEqualTo(Integer.toString(i));
            acks.add(new FencedAck(fence(i, i == 5 ? "stale" : "t"), stream(i), List.of(r.entries().get(0).id())));
        }
        List<Boolean> acked = transport.ackFenced("g", acks);
        for (int i : partitions()) {
            assertThat(acked.get(i)).as("ack of partition %d", i).isEqualTo(i != 5);
            assertThat(transport.pendingCount(stream(i), "g")).isEqualTo(i == 5 ? 1 : 0);
        }

        transport.delete(locks);
        assertThat(transport.getAll(locks)).containsOnly(Optional.empty());
    }

    @Test
    void a_read_and_its_acks_over_many_slots_cost_one_check_and_one_ack_run_per_master() {
        List<String> streams = partitions().stream().map(RedisClusterTransportTest::stream).toList();
        List<Append> appends = streams.stream().map(s -> new Append(s, null, Map.of("a", bytes("1")), 0)).toList();
        transport.append(appends);
        transport.createGroup(streams, "g", "0");
        List<String> locks = partitions().stream().map(i -> fence(i, "t").lockKey()).toList();
        transport.setIfAbsent(locks, "t", Duration.ofMinutes(1));
        // Nothing pending yet and nothing to ack: this only has every master load the scripts.
        List<FencedRead> pending = partitions().stream().map(i -> new FencedRead(fence(i, "t"), stream(i), "0")).toList();
        assertThat(transport.readGroupFenced("g", pending, 10, null)).allSatisfy(r -> assertThat(r.entries()).isEmpty());
        transport.ackFenced("g", partitions().stream().map(i -> new FencedAck(fence(i, "t"), stream(i), List.of())).toList());
        for (RedisCluster.Node master : cluster.masters()) {
            master.call("CONFIG", "RESETSTAT");
        }

        List<FencedRead> reads = partitions().stream().map(i -> new FencedRead(fence(i, "t"), stream(i), ">")).toList();
        List<FencedRead.Result> results = transport.readGroupFenced("g", reads, 10, null);
        assertThat(results).allSatisfy(r -> assertThat(r.entries()).hasSize(1));
        List<FencedAck> acks = new ArrayList<>();
        for (int i : partitions()) {
            acks.add(new FencedAck(fence(i, "t"), stream(i), List.of(results.get(i).entries().get(0).id())));
        }
        assertThat(transport.ackFenced("g", acks)).containsOnly(true);

        for (RedisCluster.Node master : cluster.masters()) {
            long partitionsHere = streams.stream().filter(s -> cluster.masterOf(s).port() == master.port()).count();
            assertThat(partitionsHere).isPositive();
            assertThat(calls(master, "evalsha")).as("one check and one ack run on master %d", master.port()).isEqualTo(2);
            assertThat(calls(master, "xreadgroup")).as("a read per slot").isEqualTo(partitionsHere);
            assertThat(calls(master, "xack")).isEqualTo(partitionsHere);
        }
        for (String s : streams) {
            assertThat(transport.pendingCount(s, "g")).isZero();
        }
        cluster.flushAll();
    }

    @Test
    void a_read_and_an_ack_whose_slot_moved_behind_the_layout_are_run_slot_by_slot() {
        int moved = 0;
        int slot = transport.hashSlot(stream(moved));
        RedisCluster.Node from = cluster.masterOfSlot(slot);
        int stay = partitions().stream().filter(i -> i != moved && cluster.masterOf(stream(i)).port() == from.port())
                .findFirst().orElseThrow();
        RedisCluster.Node to = cluster.masters().stream().filter(m -> m.port() != from.port()).findFirst().orElseThrow();
        moveEmptySlot(slot, from, to);
        try {
            // The transport's layout still has both partitions on one master: one check and one
            // ack run would name both, which neither master can serve any more.
            to.call("XADD", stream(moved), "*", "a", "1");
            to.call("XGROUP", "CREATE", stream(moved), "g", "0");
            to.call("SET", fence(moved, "t").lockKey(), "t");
            transport.append(new Append(stream(stay), null, Map.of("a", bytes("2")), 0));
            transport.createGroup(List.of(stream(stay)), "g", "0");
            transport.setIfAbsent(List.of(fence(stay, "t").lockKey()), "t", Duration.ofMinutes(1));

            List<FencedRead.Result> results = transport.readGroupFenced("g", List.of(
                    new FencedRead(fence(moved, "t"), stream(moved), ">"),
                    new FencedRead(fence(stay, "t"), stream(stay), ">")), 10, null);
            assertThat(results).allSatisfy(r -> {
                assertThat(r.held()).isTrue();
                assertThat(r.entries()).hasSize(1);
            });
            List<Boolean> acked = transport.ackFenced("g", List.of(
                    new FencedAck(fence(stay, "t"), stream(stay), List.of(results.get(1).entries().get(0).id())),
                    new FencedAck(fence(moved, "u"), stream(moved), List.of(results.get(0).entries().get(0).id()))));
            assertThat(acked).containsExactly(true, false);
            assertThat(transport.pendingCount(stream(stay), "g")).isZero();
            assertThat(transport.pendingCount(stream(moved), "g")).isEqualTo(1);
        } finally {
            cluster.flushAll();
            moveEmptySlot(slot, to, from);
        }
    }

    @Test
    void a_blocking_read_over_several_slots_is_refused_and_one_slot_blocks() {
        transport.createGroup(List.of(stream(0), stream(1)), "g", "$");
        transport.setIfAbsent(List.of(fence(0, "t").lockKey(), fence(1, "t").lockKey()), "t", Duration.ofMinutes(1));
        List<FencedRead> two = List.of(new FencedRead(fence(0, "t"), stream(0), ">"),
                new FencedRead(fence(1, "t"), stream(1), ">"));
        assertThatThrownBy(() -> transport.readGroupFenced("g", two, 10, Duration.ofMillis(100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one hash slot");
        long start = System.nanoTime();
        List<FencedRead.Result> one = transport.readGroupFenced("g", two.subList(0, 1), 10, Duration.ofMillis(300));
        assertThat(one.get(0).held()).isTrue();
        assertThat(one.get(0).entries()).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void a_fenced_append_or_set_outside_the_fences_slot_is_checked_first() {
        Fence lock = fence(0, "t");
        transport.set(lock.lockKey(), "t", Duration.ofMinutes(1));
        String elsewhere = stream(1);
        assertThat(transport.hashSlot(elsewhere)).isNotEqualTo(transport.hashSlot(lock.lockKey()));

        Optional<List<String>> ids = transport.appendFenced(lock,
                List.of(new Append(elsewhere, null, Map.of("a", bytes("1")), 0), new Append(stream(0), null, Map.of("a", bytes("2")), 0)));
        assertThat(ids).isPresent();
        assertThat(ids.get()).hasSize(2);
        assertThat(transport.length(elsewhere)).isEqualTo(1);
        assertThat(transport.length(stream(0))).isEqualTo(1);
        assertThat(transport.setFenced(lock, "mark{p1}", "v")).isTrue();
        assertThat(transport.get("mark{p1}")).contains("v");

        Fence stale = fence(0, "stale");
        assertThat(transport.appendFenced(stale, List.of(new Append(elsewhere, null, Map.of("a", bytes("3")), 0)))).isEmpty();
        assertThat(transport.length(elsewhere)).isEqualTo(1);
        assertThat(transport.setFenced(stale, "mark{p1}", "w")).isFalse();
        assertThat(transport.get("mark{p1}")).contains("v");
    }

    @Test
    void a_cluster_url_that_leads_to_a_single_server_is_refused_at_open() {
        try (RedisServer single = RedisServer.start()) {
            String url = "redis-cluster://127.0.0.1:" + single.port();
            assertThatThrownBy(() -> openTransport(url).close())
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("not a node of a Redis Cluster")
                    .hasMessageContaining("redis://");
        }
    }

    @Test
    void plain_multi_key_calls_are_split_by_slot_and_keep_the_callers_order() {
        List<String> streams = partitions().stream().map(RedisClusterTransportTest::stream).toList();
        transport.createGroup(streams, "g", "0");
        Map<String, String> newest = new LinkedHashMap<>();
        for (int i = partitions().size() - 1; i >= 0; i--) {
            if (i % 3 != 0) {
                transport.append(new Append(stream(i), null, Map.of("n", bytes(Integer.toString(i))), 0));
            }
            newest.put(stream(i), ">");
        }
        Map<String, List<StreamEntry>> read = transport.readGroup("g", "c", newest, 10, null);
        assertThat(read.keySet()).containsExactlyElementsOf(newest.keySet().stream()
                .filter(k -> !List.of(stream(0), stream(3), stream(6), stream(9)).contains(k)).toList());

        Map<String, List<String>> acks = new LinkedHashMap<>();
        read.forEach((key, entries) -> acks.put(key, entries.stream().map(StreamEntry::id).toList()));
        transport.ack("g", acks);
        for (String stream : streams) {
            assertThat(transport.pendingCount(stream, "g")).isZero();
        }
        assertThat(transport.readGroup("g", "c", Map.of(stream(1), ">", stream(2), ">"), 10, null)).isEmpty();
        assertThatThrownBy(() -> transport.readGroup("g", "c", Map.of(stream(1), ">", stream(2), ">"), 10,
                Duration.ofMillis(100)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one hash slot");

        List<String> keys = partitions().stream().map(i -> "k" + i + "{p" + i + "}").toList();
        for (int i : partitions()) {
            if (i % 2 == 0) {
                transport.set(keys.get(i), "v" + i, null);
            }
        }
        List<Optional<String>> values = transport.getAll(keys);
        for (int i : partitions()) {
            assertThat(values.get(i)).as("key %d", i).isEqualTo(i % 2 == 0 ? Optional.of("v" + i) : Optional.empty());
        }
        assertThat(transport.extendIfOwner(keys, "v4", Duration.ofMinutes(1)))
                .containsExactlyElementsOf(partitions().stream().map(i -> i == 4).toList());
        transport.delete(keys);
        assertThat(transport.getAll(keys)).containsOnly(Optional.empty());
    }

    @Test
    void a_durable_append_waits_on_every_master_written_to() {
        List<Append> appends = partitions().stream()
                .map(i -> new Append(stream(i), null, Map.of("n", bytes(Integer.toString(i))), 0)).toList();
        // The shared cluster has no replicas: every master answers WAIT with 0.
        Throwable failure = catchThrowable(
                () -> transport.appendDurably(appends, 1, Duration.ofMillis(100)));
        assertThat(failure).isInstanceOf(NotReplicated.class).hasMessageContaining("0 of 1 replicas");
        List<String> ids = ((NotReplicated) failure).ids();
        assertThat(ids).hasSize(appends.size());
        for (int i : partitions()) {
            assertThat(transport.range(stream(i), "-", "+", 10)).extracting(StreamEntry::id).containsExactly(ids.get(i));
        }
    }

    @Test
    void commands_for_a_slot_that_moved_to_another_master_follow_the_redirection() throws Exception {
        String key = stream(0);
        int slot = transport.hashSlot(key);
        RedisCluster.Node from = cluster.masterOfSlot(slot);
        RedisCluster.Node to = cluster.masters().stream().filter(m -> m.port() != from.port()).findFirst().orElseThrow();
        String lock = fence(0, "t").lockKey();
        moveEmptySlot(slot, from, to);
        try {
            to.call("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
            to.call("SET", lock, "t");
            // The transport's layout still names the old master, which answers MOVED: first
            // to a blocking read on a connection of its own, then to a batch.
            ExecutorService reader = Executors.newSingleThreadExecutor();
            try {
                Future<List<FencedRead.Result>> blocked = reader.submit(() -> transport.readGroupFenced("g",
                        List.of(new FencedRead(fence(0, "t"), key, ">")), 10, Duration.ofSeconds(20)));
                await().atMost(Duration.ofSeconds(20)).until(() -> cluster.blockedClients() == 1);
                List<String> ids = transport.append(List.of(new Append(key, null, Map.of("a", bytes("1")), 0),
                        new Append(stream(1), null, Map.of("b", bytes("2")), 0)));
                assertThat(blocked.get(20, TimeUnit.SECONDS).get(0).entries()).extracting(StreamEntry::id)
                        .containsExactly(ids.get(0));
            } finally {
                reader.shutdownNow();
            }
            assertThat(transport.setIfAbsent(List.of(lock), "u", Duration.ofMinutes(1))).containsExactly(false);
            assertThat(clusterKeys(to, slot)).isEqualTo(2);
            assertThat(clusterKeys(from, slot)).isZero();
            transport.delete(List.of(key, lock));
        } finally {
            cluster.flushAll();
            moveEmptySlot(slot, to, from);
        }
    }

    @Test
    void commands_for_a_slot_being_migrated_follow_ask_to_the_importing_master() {
        String key = "mark{p0}";
        int slot = transport.hashSlot(key);
        RedisCluster.Node from = cluster.masterOfSlot(slot);
        RedisCluster.Node to = cluster.masters().stream().filter(m -> m.port() != from.port()).findFirst().orElseThrow();
        String fromId = String.valueOf(from.call("CLUSTER", "MYID"));
        String toId = String.valueOf(to.call("CLUSTER", "MYID"));
        to.call("CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", fromId);
        from.call("CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", toId);
        try {
            // Keys the migrating master does not hold are asked for on the importing one.
            transport.set(key, "v", null);
            String id = transport.append(new Append(stream(0), null, Map.of("a", bytes("1")), 0));
            assertThat(clusterKeys(to, slot)).isEqualTo(2);
            assertThat(clusterKeys(from, slot)).isZero();
            assertThat(transport.get(key)).contains("v");
            assertThat(transport.getAll(List.of(key))).containsExactly(Optional.of("v"));
            assertThat(transport.range(stream(0), "-", "+", 10)).extracting(StreamEntry::id).containsExactly(id);
            transport.delete(List.of(key, stream(0)));
            assertThat(clusterKeys(to, slot)).isZero();
        } finally {
            from.call("CLUSTER", "SETSLOT", Integer.toString(slot), "STABLE");
            to.call("CLUSTER", "SETSLOT", Integer.toString(slot), "STABLE");
            cluster.flushAll();
        }
    }

    @Test
    void a_dead_master_fails_its_calls_fast_and_they_work_again_once_it_is_back() {
        try (RedisCluster own = RedisCluster.start(3, 0);
             Transport onOwn = openTransport(own.url() + "?timeout=30s")) {
            String key = "k{p0}";
            onOwn.set(key, "v", null);
            RedisCluster.Node master = own.masterOf(key);
            List<Fence> fences = partitions().stream().map(i -> fence(i, "t")).toList();
            onOwn.setIfAbsent(fences.stream().map(Fence::lockKey).toList(), "t", Duration.ofMinutes(1));
            List<Boolean> onDead = fences.stream().map(f -> own.masterOf(f.lockKey()).port() == master.port()).toList();
            own.kill(master);

            // The other masters' locks are still extended, and the answers say which came.
            PartlyAnswered partly = catchThrowableOfType(PartlyAnswered.class,
                    () -> onOwn.extendFenced(fences, Duration.ofMinutes(1)));
            assertThat(partly).as("a partial answer").isNotNull();
            for (int i : partitions()) {
                assertThat(partly.answer(i)).as("lock %d", i).isEqualTo(onDead.get(i) ? Optional.empty() : Optional.of(true));
            }

            long start = System.nanoTime();
            assertThatThrownBy(() -> onOwn.get(key)).isInstanceOf(TransportException.class);
            assertThatThrownBy(() -> onOwn.append(List.of(new Append(stream(0), null, Map.of("a", bytes("1")), 0),
                    new Append(stream(1), null, Map.of("a", bytes("1")), 0)))).isInstanceOf(TransportException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("far below the 30 s timeout")
                    .isLessThan(Duration.ofSeconds(5));

            own.restart(master);
            own.awaitHealthy();
            // Its data is gone (no persistence, no replica), but it serves its slots again.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                    .untilAsserted(() -> assertThat(onOwn.get(key)).isEmpty());
            onOwn.set(key, "w", null);
            assertThat(onOwn.get(key)).contains("w");
        }
    }

    /**
     * A master killed for good: its replica is promoted and the node never comes back, so the
     * cluster keeps listing it as a failed master. The other masters' slots never notice:
     * blocking reads, durable appends and acks work before the promotion and after it. The dead
     * master's slots fail fast until the promotion and work again on the promoted replica
     * within seconds of it, and a transport opened afterwards works on every slot. The nodes
     * serve their slots while another's are uncovered ({@code cluster-require-full-coverage no}):
     * by default Redis refuses every command from the moment a master is marked failed until
     * its replica takes over.
     */
    @Test
    void a_master_that_dies_for_good_stops_only_its_own_slots() {
        try (RedisCluster own = RedisCluster.start(3, 1, "--cluster-require-full-coverage", "no");
             Transport onOwn = openTransport(own.url() + "?timeout=10s")) {
            List<String> streams = partitions().stream().map(RedisClusterTransportTest::stream).toList();
            onOwn.createGroup(streams, "g", "0");
            onOwn.setIfAbsent(partitions().stream().map(i -> fence(i, "t").lockKey()).toList(), "t", Duration.ofMinutes(5));
            // Each master has served a blocking read and a durable append, on connections the transport keeps.
            List<FencedAck> acks = new ArrayList<>();
            for (int i : partitions()) {
                acks.add(new FencedAck(fence(i, "t"), stream(i), List.of(appendDurablyThenRead(onOwn, i, "before the kill"))));
            }
            RedisCluster.Node victim = own.masterOf(stream(0));
            List<Integer> elsewhere = partitions().stream()
                    .filter(i -> own.masterOf(stream(i)).port() != victim.port()).toList();
            assertThat(elsewhere).hasSizeBetween(1, 11);

            own.kill(victim);
            long start = System.nanoTime();
            assertThatThrownBy(() -> readBlocking(onOwn, 0)).isInstanceOf(TransportException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("far below the 10 s timeout")
                    .isLessThan(Duration.ofSeconds(2));
            // Acks of the other masters' streams are made, and the answer says which.
            PartlyAnswered partly = catchThrowableOfType(PartlyAnswered.class, () -> onOwn.ackFenced("g", acks));
            assertThat(partly).as("a partial answer").isNotNull();
            for (int i : partitions()) {
                assertThat(partly.answer(i)).as("ack %d", i)
                        .isEqualTo(elsewhere.contains(i) ? Optional.of(true) : Optional.empty());
                if (elsewhere.contains(i)) {
                    assertThat(onOwn.pendingCount(stream(i), "g")).isZero();
                }
            }
            for (int i : elsewhere) {
                appendDurablyThenRead(onOwn, i, "before the promotion");
            }
            assertThat(onOwn.nodeOf(stream(0))).isEqualTo("127.0.0.1:" + victim.port());

            own.awaitHealthy();
            long promotedAt = System.nanoTime();
            RedisCluster.Node promoted = own.masterOf(stream(0));
            for (int i : elsewhere) {
                appendDurablyThenRead(onOwn, i, "after the promotion");
            }
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> readBlocking(onOwn, 0).isEmpty());
            assertThat(Duration.ofNanos(System.nanoTime() - promotedAt)).as("the dead master's slot served again")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(onOwn.nodeOf(stream(0))).isEqualTo("127.0.0.1:" + promoted.port());
            String id = onOwn.append(new Append(stream(0), null, Map.of("a", bytes("after")), 0));
            assertThat(readBlocking(onOwn, 0)).containsExactly(id);
            // The promoted master has no replica until the dead node comes back as one.
            assertThatThrownBy(() -> onOwn.appendDurably(List.of(new Append(stream(0), null, Map.of("a", bytes("1")), 0)),
                    1, Duration.ofMillis(100))).isInstanceOf(NotReplicated.class);

            try (Transport fresh = openTransport(own.url() + "?timeout=10s")) {
                for (int i : partitions()) {
                    assertThat(fresh.readGroupFenced("g", List.of(new FencedRead(fence(i, "t"), stream(i), ">")), 10,
                            Duration.ofMillis(50)).get(0).held()).as("partition %d on a new transport", i).isTrue();
                }
            }
        }
    }

    /** Appends an entry to partition {@code i}'s stream, confirmed by a replica, and reads it back blocking; its id. */
    private static String appendDurablyThenRead(Transport on, int i, String when) {
        String id = on.appendDurably(List.of(new Append(stream(i), null, Map.of("n", bytes(Integer.toString(i))), 0)),
                1, Duration.ofSeconds(5)).get(0);
        assertThat(readBlocking(on, i)).as("partition %d %s", i, when).containsExactly(id);
        return id;
    }

    /** A fenced read of partition {@code i} that blocks up to 100 ms; the ids it got. */
    private static List<String> readBlocking(Transport on, int i) {
        FencedRead.Result read = on.readGroupFenced("g", List.of(new FencedRead(fence(i, "t"), stream(i), ">")), 10,
                Duration.ofMillis(100)).get(0);
        assertThat(read.held()).as("partition %d's lock", i).isTrue();
        return read.entries().stream().map(StreamEntry::id).toList();
    }

    @Test
    void an_unreachable_cluster_fails_at_open_without_revealing_the_password() throws IOException {
        String url = "redis-cluster://user:s3cret@127.0.0.1:" + freePort() + ",127.0.0.1:" + freePort();
        Throwable failure = catchThrowable(() -> openTransport(url).close());
        assertThat(failure).isInstanceOf(TransportException.class).hasMessageStartingWith("cannot connect to");
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain("s3cret");
    }

    /** Hands an empty slot over to another master as redis-cli does, every master told directly. */
    private void moveEmptySlot(int slot, RedisCluster.Node from, RedisCluster.Node to) {
        String s = Integer.toString(slot);
        String fromId = String.valueOf(from.call("CLUSTER", "MYID"));
        String toId = String.valueOf(to.call("CLUSTER", "MYID"));
        to.call("CLUSTER", "SETSLOT", s, "IMPORTING", fromId);
        from.call("CLUSTER", "SETSLOT", s, "MIGRATING", toId);
        to.call("CLUSTER", "SETSLOT", s, "NODE", toId);
        from.call("CLUSTER", "SETSLOT", s, "NODE", toId);
        for (RedisCluster.Node other : cluster.masters()) {
            if (other.port() != from.port() && other.port() != to.port()) {
                other.call("CLUSTER", "SETSLOT", s, "NODE", toId);
            }
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> cluster.masterOfSlot(slot).port() == to.port());
    }

    /** A loopback port nothing listens on. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Calls of a command the node counted since its last CONFIG RESETSTAT. */
    private static long calls(RedisCluster.Node node, String command) {
        for (String line : String.valueOf(node.call("INFO", "commandstats")).split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":")) {
                int at = line.indexOf("calls=") + "calls=".length();
                return Long.parseLong(line.substring(at, line.indexOf(',', at)));
            }
        }
        return 0;
    }

    private static long clusterKeys(RedisCluster.Node node, int slot) {
        return (Long) node.call("CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
