// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.transport.StreamEntry;
import io.runnel.testkit.RedisClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real worker processes sharing a processor with an in-process worker, killed with real
 * signals: SIGKILL mid-stream loses nothing (the dead worker is reaped and the next owner
 * re-reads its pending entries); SIGTERM drains, releases and leaves. On one Redis server
 * and on a Redis Cluster.
 */
@Tag("redis")
@Tag("process")
class ProcessCrashTest extends ChildProcessTest {
    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int KEYS = 16;
    private static final int PER_KEY = 100;
    /** Slow enough that a kill lands mid-stream, with work left on both sides. */
    private static final long WORK_MILLIS = 20;
    private static final Map<String, String> SETTINGS = fastFailover();

    private Path logOf(String appName, String label) {
        return ChildWorkers.logOf(appName, label);
    }

    private Process startChild(String url, String transport, String appName, long workMillis, String label,
                               int maxInFlight) throws IOException {
        if (children == null) {
            Map<String, String> env = new LinkedHashMap<>(SETTINGS);
            env.put("RUNNEL_REDIS_URL", url);
            env.put("RUNNEL_TRANSPORT", transport);
            children = new ChildWorkers(env);
        }
        return children.start(WorkerProcessMain.class, appName, label, appName, Long.toString(workMillis),
                Integer.toString(maxInFlight));
    }

    @Test
    void sigkill_mid_stream_loses_nothing_and_sigterm_leaves_cleanly() throws Exception {
        killThenStop(redis.url(), "lettuce", 1);
    }

    /**
     * The same with max_in_flight: the killed worker had deliveries of several keys in flight
     * on each partition (and events queued behind them); its successor processes them, each
     * key's first processing in send order.
     */
    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void with_max_in_flight_sigkill_mid_flight_loses_nothing_on_a_redis_cluster(String transport) throws Exception {
        killThenStop(clusterExtension.url(), transport, 8);
    }

    /** The same on a 3-master Redis Cluster, where the partitions' keys carry their hash tags. */
    @ParameterizedTest
    @ValueSource(strings = {"lettuce", "jedis"})
    void sigkill_mid_stream_loses_nothing_and_sigterm_leaves_cleanly_on_a_redis_cluster(String transport) throws Exception {
        killThenStop(clusterExtension.url(), transport, 1);
    }

    private void killThenStop(String url, String transport, int maxInFlight) throws Exception {
        // With max_in_flight, more keys than partitions, so that each partition has several in flight.
        int keys = maxInFlight > 1 ? 64 : KEYS;
        String name = TestApps.uniqueName("crash");
        Map<String, String> env = new LinkedHashMap<>(SETTINGS);
        env.put("RUNNEL_REDIS_URL", url);
        env.put("RUNNEL_TRANSPORT", transport);
        App local = WorkerProcessMain.define(App.builder(name).environment(env), WORK_MILLIS, maxInFlight);
        apps.add(local);
        @SuppressWarnings("unchecked")
        Stream<Order> orders = (Stream<Order>) local.streamNamed("orders");
        @SuppressWarnings("unchecked")
        Stream<WorkerProcessMain.Seen> seen = (Stream<WorkerProcessMain.Seen>) local.streamNamed("seen");

        // A child JVM and this JVM's worker share the processor: both own partitions before any event exists.
        Process doomed = startChild(url, transport, name, WORK_MILLIS, "doomed", maxInFlight);
        await().atMost(Duration.ofSeconds(60)).until(() -> memberCount(local) == 1);
        Worker worker = local.worker().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.ownedPartitions("proc").size() == 4);
        orders.sendAll(TestApps.orders(keys, PER_KEY));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(pids(seen)).contains(doomed.pid(), ProcessHandle.current().pid());
            assertThat(local.transport().length(seen.partitionKey(0))).isGreaterThanOrEqualTo(100);
        });
        String doomedExecutor = otherMember(local, worker);

        doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no release, no leave
        assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(distinct(seen)).as("killed mid-stream").isLessThan(keys * PER_KEY);

        // Its heartbeat expires, it is reaped, and this worker finishes everything.
        await().atMost(Duration.ofSeconds(90)).until(() -> distinct(seen) == keys * PER_KEY);
        assertThat(worker.ownedPartitions("proc")).hasSize(8);
        ProcessedLog log = SeenRecords.read(seen).log();
        log.assertAtLeastOnceInOrder(keys, PER_KEY);
        // Only what the killed worker had processed but not acknowledged can repeat: for each of
        // its 4 partitions, what it held and what completed in the last ack delay (20 ms).
        assertThat(log.duplicates()).isLessThanOrEqualTo(4 * (2 * Math.max(8, maxInFlight) + 1));
        assertThat(controlMessages(local)).contains("dead [\"" + doomedExecutor + "\"]");

        // A second child joins and takes half; SIGTERM makes it drain and leave.
        Process polite = startChild(url, transport, name, 0, "polite", maxInFlight);
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.ownedPartitions("proc").size() == 4);
        String politeExecutor = otherMember(local, worker);
        orders.sendAll(TestApps.orders(keys, 5).stream().map(o -> new Order(o.key(), PER_KEY + o.seq())).toList());

        polite.destroy(); // SIGTERM
        assertThat(polite.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(controlMessages(local)).contains("leave [\"" + politeExecutor + "\"]");
        JsonNode members = JSON.readTree(local.transport().get(Keys.members(name, "orders", "proc")).orElseThrow());
        assertThat(members.size()).isEqualTo(1);
        assertThat(local.transport().get(Keys.heartbeat(name, "orders", "proc", politeExecutor))).isEmpty();
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.ownedPartitions("proc").size() == 8);
        await().atMost(Duration.ofSeconds(30)).until(() -> distinct(seen) == keys * (PER_KEY + 5));
        String output = Files.readString(logOf(name, "polite"), StandardCharsets.UTF_8);
        assertThat(output).contains("shutdown signal received").contains("worker stopped");

        worker.stop();
        for (int p = 0; p < 8; p++) {
            assertThat(local.transport().get(local.processor("proc").lockKey(p))).as("lock %s", p).isEmpty();
            assertThat(local.transport().pendingCount(orders.partitionKey(p), "proc")).isZero();
        }
    }

    private static int memberCount(App app) throws IOException {
        return app.transport().get(Keys.members(app.name(), "orders", "proc"))
                .map(json -> {
                    try {
                        return JSON.readTree(json).size();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).orElse(0);
    }

    private static String otherMember(App app, Worker local) throws IOException {
        JsonNode members = JSON.readTree(app.transport().get(Keys.members(app.name(), "orders", "proc")).orElseThrow());
        List<String> ids = new ArrayList<>();
        members.fieldNames().forEachRemaining(ids::add);
        String mine = PartitionLocks.ownerOf(app.transport().get(app.processor("proc").lockKey(
                local.ownedPartitions("proc").iterator().next())).orElseThrow());
        ids.remove(mine);
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }

    private static List<String> controlMessages(App app) {
        List<String> out = new ArrayList<>();
        for (StreamEntry e : app.transport().range(Keys.control(app.name(), "orders", "proc"), "-", "+", 1000)) {
            out.add(new String(e.fields().get("reason"), StandardCharsets.UTF_8) + " "
                    + new String(e.fields().get("executor_ids"), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Set<Long> pids(Stream<WorkerProcessMain.Seen> seen) {
        return SeenRecords.read(seen).pids();
    }

    private static int distinct(Stream<WorkerProcessMain.Seen> seen) {
        return SeenRecords.read(seen).distinct();
    }
}
