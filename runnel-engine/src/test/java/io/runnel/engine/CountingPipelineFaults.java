// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.transport.StreamEntry;
import io.runnel.testkit.LoopbackProxy;
import io.runnel.testkit.RedisCluster;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.CommittedEffects.committed;
import static io.runnel.engine.CommittedEffects.pending;
import static io.runnel.engine.CountingWorkerMain.Count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A counting pipeline (count per key in state, send the running count; a second processor keeps
 * the last count) run by worker processes that are killed with SIGKILL, one after another,
 * frozen with SIGSTOP past lock_expiry and resumed, or cut off from Redis through a loopback
 * proxy past lock_expiry; or Redis (AOF {@code always}) restarts mid-stream; while this JVM's
 * worker shares the processors. Under {@code exactly_once} every key's counts
 * stream is exactly 1..N in order, and both processors' committed state agrees; under
 * {@code at_least_once} the same run sends duplicates, which is what shows the check can fail.
 * The runs and their checks are here; the tests are in {@link ExactlyOnceCrashTest},
 * {@link ExactlyOnceServerFaultTest} and {@link ExactlyOnceClusterFaultTest}, classes that test
 * JVMs run side by side.
 */
@Tag("redis")
@Tag("process")
abstract class CountingPipelineFaults extends ChildProcessTest {

    /** What a test started besides the children and apps, closed after them, in order. */
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeServers() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    static final int KEYS = 32;
    static final int PER_KEY = 150;
    private static final long WORK_MILLIS = 10;
    private static final int KILLS = 3;
    private static final Map<String, String> SETTINGS = fastFailover();

    static {
        // Commits far apart: a kill almost surely lands with completed deliveries uncommitted.
        SETTINGS.put("RUNNEL_DEFAULT_COMMIT_INTERVAL", "300ms");
    }

    /** What happens to the child worker mid-stream. */
    enum Fault {
        /** SIGKILL, {@link #KILLS} times, a new child started after each. */
        KILLS,
        /**
         * SIGSTOP until this JVM's worker owns every partition (the child's locks expired), then
         * SIGCONT: the resumed child must commit nothing of what it completed before the freeze.
         */
        FREEZE,
        /**
         * The child reaches Redis through a loopback proxy, cut until this JVM's worker owns every
         * partition, then resumed: the child's held commands reach Redis late. Twice.
         */
        CUT_OFF,
        /** Redis (AOF {@code always}) restarts mid-stream, twice: commits whose replies were lost are sent again. */
        RESTART,
        /**
         * On a Redis Cluster with a replica per master, with {@code default_commit_replicas} 1 and
         * {@code send_replicas} 1: a master dies for good (SIGKILL, not restarted) and its replica
         * is promoted. A commit confirmed by the replica survives; one whose reply was lost is sent
         * again to the promoted replica, which has it or not, and its marker tells.
         */
        MASTER_KILL
    }







    /** Every window closed, and each key's count per window was sent once and is right. */
    static void assertOneResultPerWindow(App app) {
        Map<String, Long> expected = WindowCounts.expected(app);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            assertThat(CommittedEffects.pending(app, "per-second")).as("pending orders of per-second").isZero();
            assertThat(WindowCounts.open(app)).as("open windows").isEmpty();
            assertThat(WindowCounts.sent(app).size()).isGreaterThanOrEqualTo(expected.size());
        });
        Map<String, List<Long>> sent = WindowCounts.sent(app);
        assertThat(sent.keySet()).isEqualTo(expected.keySet());
        sent.forEach((window, counts) -> assertThat(counts).as(window).containsExactly(expected.get(window)));
    }

    static void assertOneCountPerOrderInOrder(Map<String, List<Count>> counts) {
        List<Long> oneToN = new ArrayList<>();
        for (long n = 1; n <= PER_KEY; n++) {
            oneToN.add(n);
        }
        assertThat(counts).hasSize(KEYS).allSatisfy((key, list) -> {
            assertThat(list).extracting(Count::n).as("counts of %s", key).isEqualTo(oneToN);
            assertThat(list).extracting(Count::seq).as("orders of %s", key).isSorted().doesNotHaveDuplicates();
        });
    }


    /** The counts sent per key, in stream order, and what the (last) child worker logged. */
    record Outcome(Map<String, List<Count>> counts, String childLog) {
    }

    /**
     * Runs the pipeline with this JVM's worker and a child worker, puts the child through the
     * fault mid-stream, lets everything finish, and checks both processors' committed state.
     */
    Outcome run(String transport, ProcessingGuarantee guarantee, Fault fault) throws Exception {
        return run(transport, guarantee, fault, null);
    }

    /** {@link #run(String, ProcessingGuarantee, Fault)} on the Redis at {@code redisUrl} (null: the test's own). */
    Outcome run(String transport, ProcessingGuarantee guarantee, Fault fault, String redisUrl) throws Exception {
        String name = TestApps.uniqueName("eoscrash");
        // The cut-off and restart faults get a server of their own: the shared one must not restart.
        RedisServer server = switch (fault) {
            case CUT_OFF -> RedisServer.start();
            case RESTART -> RedisServer.start("--appendonly", "yes", "--appendfsync", "always");
            default -> null;
        };
        if (server != null) {
            closing.add(server);
        }
        RedisCluster cluster = fault == Fault.MASTER_KILL ? RedisCluster.start(3, 1) : null;
        if (cluster != null) {
            closing.add(cluster);
            redisUrl = cluster.url();
        }
        String url = server != null ? server.url() : redisUrl != null ? redisUrl : redis.url();
        LoopbackProxy proxy = fault == Fault.CUT_OFF ? new LoopbackProxy(server.port()) : null;
        if (proxy != null) {
            closing.add(0, proxy);
        }
        Map<String, String> env = new LinkedHashMap<>(SETTINGS);
        env.put("RUNNEL_REDIS_URL", url);
        env.put("RUNNEL_TRANSPORT", transport);
        if (cluster != null) {
            env.put("RUNNEL_DEFAULT_COMMIT_REPLICAS", "1");
            env.put("RUNNEL_SEND_REPLICAS", "1");
            env.put("RUNNEL_SEND_REPLICAS_TIMEOUT", "5000");
        }
        Map<String, String> childEnv = new LinkedHashMap<>(env);
        if (proxy != null) {
            childEnv.put("RUNNEL_REDIS_URL", "redis://127.0.0.1:" + proxy.port());
        }
        children = new ChildWorkers(childEnv);
        App local = CountingWorkerMain.define(App.builder(name).environment(env), guarantee, WORK_MILLIS, 2);
        apps.add(local);
        @SuppressWarnings("unchecked")
        Stream<TestApps.Order> orders = (Stream<TestApps.Order>) local.streamNamed("orders");
        @SuppressWarnings("unchecked")
        Stream<Count> countStream = (Stream<Count>) local.streamNamed("counts");

        Worker worker = local.worker().start();
        Process child = start(name, guarantee, 0);
        await().atMost(Duration.ofSeconds(60)).until(() -> worker.ownedPartitions("counter").size() == 4);
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
        int label = 0;
        if (fault == Fault.KILLS) {
            for (int kill = 1; kill <= KILLS; kill++) {
                long before = sent(local, countStream);
                await().atMost(Duration.ofSeconds(60)).until(() -> sent(local, countStream) >= before + 300);
                child.destroyForcibly(); // SIGKILL: no release, no last commit
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
                if (kill < KILLS) {
                    child = start(name, guarantee, ++label);
                }
            }
        } else if (fault == Fault.FREEZE) {
            await().atMost(Duration.ofSeconds(60)).until(() -> sent(local, countStream) >= 300);
            ChildWorkers.signal(child, "STOP");
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.ownedPartitions("counter").size() == 8);
            ChildWorkers.signal(child, "CONT");
        } else if (fault == Fault.CUT_OFF) {
            for (int cut = 0; cut < 2; cut++) {
                long before = sent(local, countStream);
                await().atMost(Duration.ofSeconds(60)).until(() -> sent(local, countStream) >= before + 300
                        && worker.ownedPartitions("counter").size() == 4);
                proxy.cut();
                await().atMost(Duration.ofSeconds(60)).until(() -> worker.ownedPartitions("counter").size() == 8);
                proxy.resume();
            }
        } else if (fault == Fault.MASTER_KILL) {
            long before = sent(local, countStream);
            await().atMost(Duration.ofSeconds(60)).until(() -> sent(local, countStream) >= before + 300);
            cluster.kill(cluster.masterOfSlot(local.transport().hashSlot(local.processor("counter").lockKey(0))));
            cluster.awaitHealthy();
        } else {
            for (int restart = 0; restart < 2; restart++) {
                // Read while the clients reconnect after the previous restart.
                long before = await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> sent(local, countStream), n -> true);
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> sent(local, countStream) >= before + 300);
                server.restart();
            }
        }
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(committed(local, "counter", "counts").values().stream().mapToLong(Long::longValue).sum())
                        .as("the fault came mid-stream").isLessThan(KEYS * PER_KEY));

        await().atMost(Duration.ofSeconds(120)).ignoreExceptions().until(() -> pending(local, "counter") == 0 && pending(local, "last") == 0
                && committed(local, "counter", "counts").values().stream().mapToLong(Long::longValue).sum()
                == (long) KEYS * PER_KEY);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> committed(local, "last", "last").size() == KEYS
                && committed(local, "last", "last").values().stream().allMatch(n -> n == PER_KEY));
        if (guarantee == ProcessingGuarantee.EXACTLY_ONCE) {
            assertOneResultPerWindow(local);
        }
        worker.stop();
        child.destroy();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(committed(local, "counter", "counts")).hasSize(KEYS)
                .allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(PER_KEY));
        Map<String, List<Count>> perKey = new TreeMap<>();
        for (int p = 0; p < countStream.partitionCount(); p++) {
            for (StreamEntry e : local.transport().range(countStream.partitionKey(p), "-", "+", 0)) {
                Count c = countStream.codec().decode(e.fields());
                perKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
            }
        }
        return new Outcome(perKey, Files.readString(ChildWorkers.logOf(name, "child-" + label), StandardCharsets.UTF_8));
    }

    private Process start(String name, ProcessingGuarantee guarantee, int n) throws IOException {
        return children.start(CountingWorkerMain.class, name, "child-" + n, name,
                guarantee.name().toLowerCase(java.util.Locale.ROOT), Long.toString(WORK_MILLIS), "2");
    }

    private static long sent(App app, Stream<Count> counts) {
        long n = 0;
        for (int p = 0; p < counts.partitionCount(); p++) {
            n += app.transport().length(counts.partitionKey(p));
        }
        return n;
    }


}
