// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A static member's worker JVM is killed with SIGKILL mid-stream and started again within the
 * session timeout: meanwhile its partitions stay assigned to it (the other member, this JVM,
 * does not take them even after the dead one's locks expire), then it takes exactly those
 * partitions back, the membership record never changes, and every key's events are processed,
 * first processings in send order.
 */
@Tag("redis")
@Tag("process")
class StaticMemberCrashTest extends ChildProcessTest {

    private static final int PARTITIONS = 8;
    private static final int KEYS = 16;
    private static final int PER_KEY = 50;
    private static final long WORK_MILLIS = 10;
    private static final Duration LOCK_EXPIRY = Duration.ofSeconds(3);
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @ParameterizedTest
    @TransportKind.Redis
    void a_killed_static_member_returns_to_its_own_partitions(TransportKind transport) throws Exception {
        String name = TestApps.uniqueName("staticcrash");
        Map<String, String> env = new LinkedHashMap<>(ChildWorkers.faultTestSettings(transport, PARTITIONS, LOCK_EXPIRY));
        env.put("RUNNEL_REDIS_URL", redis.url());
        env.put("RUNNEL_DEFAULT_SESSION_TIMEOUT", "60s");
        Map<String, String> childEnv = new LinkedHashMap<>(env);
        childEnv.put("RUNNEL_MEMBER_ID", "host-a");
        children = new ChildWorkers(childEnv);
        env.put("RUNNEL_MEMBER_ID", "host-b");
        App local = WorkerProcessMain.define(App.builder(name).environment(env), WORK_MILLIS);
        apps.add(local);
        @SuppressWarnings("unchecked")
        Stream<Order> orders = (Stream<Order>) local.streamNamed("orders");
        @SuppressWarnings("unchecked")
        Stream<WorkerProcessMain.Seen> seen = (Stream<WorkerProcessMain.Seen>) local.streamNamed("seen");

        Process doomed = children.start(WorkerProcessMain.class, name, "host-a", name, Long.toString(WORK_MILLIS));
        await().atMost(PATIENCE).until(() -> ownedBy(local, "host-a").size() == PARTITIONS);
        Worker worker = local.worker().start();
        await().atMost(PATIENCE).until(() -> worker.ownedPartitions("proc").size() == PARTITIONS / 2
                && ownedBy(local, "host-a").size() == PARTITIONS / 2);
        Set<Integer> ofA = ownedBy(local, "host-a");
        Set<Integer> ofB = worker.ownedPartitions("proc");
        long generation = local.status().processor("proc").assignmentGeneration();
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
        await().atMost(PATIENCE).until(() -> SeenRecords.read(seen).pids().contains(doomed.pid()));

        doomed.destroyForcibly(); // SIGKILL: no release, no leave
        assertThat(doomed.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // Past its locks' expiry and several reaping rounds: host-a's partitions wait for it.
        await().during(LOCK_EXPIRY.multipliedBy(2)).atMost(PATIENCE).until(() ->
                worker.assignedPartitions("proc").equals(ofB) && worker.ownedPartitions("proc").equals(ofB));
        assertThat(local.status().processor("proc").members()).extracting(MemberStatus::executor)
                .containsExactlyInAnyOrder("host-a", "host-b");

        Process returned = children.start(WorkerProcessMain.class, name, "host-a-again", name, Long.toString(WORK_MILLIS));
        await().atMost(PATIENCE).until(() -> ownedBy(local, "host-a").equals(ofA));
        await().atMost(PATIENCE).until(() -> SeenRecords.read(seen).distinct() == KEYS * PER_KEY);

        assertThat(worker.ownedPartitions("proc")).isEqualTo(ofB);
        assertThat(local.status().processor("proc").assignmentGeneration())
                .as("the membership record never changed").isEqualTo(generation);
        SeenRecords.read(seen).log().assertAtLeastOnceInOrder(KEYS, PER_KEY);
        assertThat(SeenRecords.read(seen).pids()).contains(returned.pid());
        worker.stop();
    }

    /** The partitions whose lock names {@code member} (from status: lock values are {@code <id>:<epoch>}). */
    private static Set<Integer> ownedBy(App app, String member) {
        Set<Integer> owned = new TreeSet<>();
        for (PartitionStatus p : app.status().processor("proc").partitions()) {
            if (p.owner().filter(member::equals).isPresent()) {
                owned.add(p.partition());
            }
        }
        return owned;
    }
}
