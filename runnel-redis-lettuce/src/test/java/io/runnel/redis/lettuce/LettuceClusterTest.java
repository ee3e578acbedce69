package io.runnel.redis.lettuce;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.testkit.RedisCluster;
import io.runnel.testkit.RedisClusterExtension;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Calls that span hash slots on a real 3-master Redis Cluster: the transport splits them by
 * slot, refuses the one it cannot split (a blocking read over several slots), and checks a
 * fence before appending outside the fence's slot.
 */
class LettuceClusterTest {
    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();
    private RedisCluster cluster;
    private Transport transport;

    @BeforeEach
    void open() {
        cluster = clusterExtension.cluster();
        transport = new LettuceTransportProvider().open(ConnectionUrl.parse(cluster.url()));
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
    void appends_reads_acks_and_multi_key_calls_are_split_by_slot() {
        List<Append> appends = new ArrayList<>();
        for (int i : partitions()) {
            appends.add(new Append(stream(i), null, Map.of("n", bytes(Integer.toString(i))), 0));
        }
        assertThat(transport.append(appends)).hasSize(12);
        List<String> streams = partitions().stream().map(LettuceClusterTest::stream).toList();
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
            assertThatThrownBy(() -> new LettuceTransportProvider().open(ConnectionUrl.parse(url)).close())
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("not a node of a Redis Cluster")
                    .hasMessageContaining("redis://");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
