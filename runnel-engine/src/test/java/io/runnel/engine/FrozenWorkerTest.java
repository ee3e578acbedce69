// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker process frozen with SIGSTOP for longer than lock_expiry while another worker
 * process runs, then resumed with SIGCONT (a long GC pause, a frozen VM or container). The
 * other worker reaps it and takes its partitions over; after the resume, the frozen worker
 * must not hand out one more event under the leases it held before the freeze, though its
 * buffers are full of them, and nothing may be lost or processed out of order.
 */
@Tag("redis")
@Tag("process")
class FrozenWorkerTest extends ChildProcessTest {

    private static final int PARTITIONS = 8;
    private static final int KEYS = 16;
    private static final int PER_KEY = 120;
    /** Slow enough that buffers are full at the freeze and work is left after the resume. */
    private static final long WORK_MILLIS = 40;
    private static final Duration LOCK_EXPIRY = Duration.ofSeconds(3);

    @ParameterizedTest
    @TransportKind.Redis
    void a_resumed_worker_hands_out_nothing_under_the_leases_it_held_before_the_freeze(TransportKind kind) throws Exception {
        Freeze freeze = freezeAndResume(kind, KEYS, PER_KEY, 1);
        // A hand-out is dated when the function asked for it, before the lease check: one dated
        // after the resume was checked after it. (The event the function held at the freeze is
        // completed after the resume, as the docs say, but it was asked for before.)
        assertThat(freeze.handouts())
                .as("hand-outs asked for after the resume under a lease held before the freeze")
                .filteredOn(freeze::afterResumeUnderAnOldLease)
                .isEmpty();
    }

    /**
     * With max_in_flight, deliveries of different keys run at once, each on its key's lane,
     * and a hand-out is dated when the handler begins. The lane checks the lease on its own
     * thread right before calling the handler, and a virtual thread runs only while mounted
     * on a carrier, so a hand-out checked before the freeze and dated after the resume is one
     * a carrier was running between the check and the clock reading when the process stopped:
     * at most one per carrier, and none followed by another on its lane. A lane or a
     * partition thread that skipped a check would hand out the buffered events by the dozen.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void with_max_in_flight_a_resumed_worker_hands_out_nothing_under_the_leases_it_held_before_the_freeze(
            TransportKind kind) throws Exception {
        Freeze freeze = freezeAndResume(kind, 64, 60, 8);
        List<Handout> late = freeze.handouts().stream().filter(freeze::afterResumeUnderAnOldLease).toList();
        assertThat(late).as("hand-outs under a lease held before the freeze, dated after the resume")
                .hasSizeLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(freeze.handouts().stream().map(Handout::thread).distinct().count())
                .as("lanes of the frozen worker").isGreaterThan(8);
    }

    /** What the frozen worker handed out, and when it was frozen and resumed. */
    private record Freeze(List<Handout> handouts, Set<String> leasesBeforeFreeze, long resumedAt) {
        boolean afterResumeUnderAnOldLease(Handout h) {
            return h.wallMillis() >= resumedAt && leasesBeforeFreeze.contains(h.lease());
        }
    }

    /**
     * Two worker processes share the processor; one is frozen past lock_expiry while the other
     * takes everything over, then resumed. Checks what must hold in every form: nothing lost,
     * each key's first processing in send order, nothing left pending, the partitions reported
     * lost.
     */
    private Freeze freezeAndResume(TransportKind kind, int keys, int perKey, int maxInFlight) throws Exception {
        String name = TestApps.uniqueName("frozen");
        Map<String, String> env = new LinkedHashMap<>(ChildWorkers.faultTestSettings(kind, PARTITIONS, LOCK_EXPIRY));
        env.put("RUNNEL_REDIS_URL", redis.url());
        children = new ChildWorkers(env);
        App local = LeaseWorkerMain.define(App.builder(name).environment(env), 0);
        apps.add(local);
        @SuppressWarnings("unchecked")
        Stream<Order> orders = (Stream<Order>) local.streamNamed("orders");
        @SuppressWarnings("unchecked")
        Stream<WorkerProcessMain.Seen> seen = (Stream<WorkerProcessMain.Seen>) local.streamNamed("seen");

        String work = Long.toString(WORK_MILLIS);
        String inFlight = Integer.toString(maxInFlight);
        Process frozen = children.start(LeaseWorkerMain.class, name, "frozen", name, work, inFlight);
        Process other = children.start(LeaseWorkerMain.class, name, "other", name, work, inFlight);
        await().atMost(Duration.ofSeconds(60)).until(() -> LockOwners.of(local, PARTITIONS).size() == 2
                && LockOwners.locked(local, PARTITIONS) == PARTITIONS);
        orders.sendAll(TestApps.orders(keys, perKey));
        await().atMost(Duration.ofSeconds(60)).until(() -> SeenRecords.read(seen).pids().containsAll(
                List.of(frozen.pid(), other.pid())));

        long frozenAt = System.currentTimeMillis();
        ChildWorkers.signal(frozen, "STOP");
        Set<String> before = LockOwners.of(local, PARTITIONS);
        // The frozen worker's heartbeat and locks expire; the other worker reaps it and takes everything.
        await().atMost(Duration.ofSeconds(60)).until(() -> LockOwners.of(local, PARTITIONS).size() == 1
                && LockOwners.locked(local, PARTITIONS) == PARTITIONS);
        String survivor = LockOwners.of(local, PARTITIONS).iterator().next();
        assertThat(before).contains(survivor);
        int seenAtTakeover = SeenRecords.read(seen).distinct();
        await().atMost(Duration.ofSeconds(60)).until(() -> SeenRecords.read(seen).distinct() > seenAtTakeover + 50);
        long resumedAt = System.currentTimeMillis();
        ChildWorkers.signal(frozen, "CONT");

        await().atMost(Duration.ofSeconds(120)).until(() -> SeenRecords.read(seen).distinct() == keys * perKey);
        frozen.destroy();
        other.destroy();
        assertThat(frozen.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();

        List<Handout> frozenHandouts = handouts(ChildWorkers.logOf(name, "frozen"));
        Set<String> leasesBeforeFreeze = new HashSet<>();
        for (Handout h : frozenHandouts) {
            if (h.wallMillis < frozenAt) {
                leasesBeforeFreeze.add(h.lease);
            }
        }
        assertThat(leasesBeforeFreeze).as("the frozen worker was processing before the freeze").isNotEmpty();
        assertThat(Files.readString(ChildWorkers.logOf(name, "frozen"), StandardCharsets.UTF_8))
                .as("the resumed worker reports its partitions lost").contains("LOST ");

        ProcessedLog log = SeenRecords.read(seen).log();
        log.assertAtLeastOnceInOrder(keys, perKey);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(local.transport().pendingCount(orders.partitionKey(p), "proc")).as("pending of %s", p).isZero();
        }
        return new Freeze(frozenHandouts, leasesBeforeFreeze, resumedAt);
    }

    /** One line a {@link LeaseWorkerMain} printed when it handed an event to the processor. */
    private record Handout(long wallMillis, long thread, int partition, String key, int seq, String lease) {
    }

    private static List<Handout> handouts(Path log) throws IOException {
        List<Handout> out = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("HANDOUT ")) {
                String[] f = line.split(" ");
                out.add(new Handout(Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), f[4],
                        Integer.parseInt(f[5]), f[6]));
            }
        }
        return out;
    }
}
