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

        Process frozen = children.start(LeaseWorkerMain.class, name, "frozen", name, Long.toString(WORK_MILLIS));
        Process other = children.start(LeaseWorkerMain.class, name, "other", name, Long.toString(WORK_MILLIS));
        await().atMost(Duration.ofSeconds(60)).until(() -> LockOwners.of(local, PARTITIONS).size() == 2
                && LockOwners.locked(local, PARTITIONS) == PARTITIONS);
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
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

        await().atMost(Duration.ofSeconds(120)).until(() -> SeenRecords.read(seen).distinct() == KEYS * PER_KEY);
        frozen.destroy();
        other.destroy();
        assertThat(frozen.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(other.waitFor(30, TimeUnit.SECONDS)).isTrue();

        List<Handout> frozenHandouts = handouts(ChildWorkers.logOf(name, "frozen"));
        Set<Long> leasesBeforeFreeze = new HashSet<>();
        for (Handout h : frozenHandouts) {
            if (h.wallMillis < frozenAt) {
                leasesBeforeFreeze.add(h.thread);
            }
        }
        assertThat(leasesBeforeFreeze).as("the frozen worker was processing before the freeze").isNotEmpty();
        // A hand-out is dated when the function asked for it, before the lease check: one dated
        // after the resume was checked after it. (The event the function held at the freeze is
        // completed after the resume, as the docs say, but it was asked for before.)
        assertThat(frozenHandouts)
                .as("hand-outs asked for after the resume under a lease held before the freeze")
                .filteredOn(h -> h.wallMillis >= resumedAt && leasesBeforeFreeze.contains(h.thread))
                .isEmpty();
        assertThat(Files.readString(ChildWorkers.logOf(name, "frozen"), StandardCharsets.UTF_8))
                .as("the resumed worker reports its partitions lost").contains("LOST ");

        ProcessedLog log = SeenRecords.read(seen).log();
        log.assertAtLeastOnceInOrder(KEYS, PER_KEY);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(local.transport().pendingCount(orders.partitionKey(p), "proc")).as("pending of %s", p).isZero();
        }
    }

    /** One line a {@link LeaseWorkerMain} printed when it handed an event to the processor. */
    private record Handout(long wallMillis, long thread, int partition, String key, int seq) {
    }

    private static List<Handout> handouts(Path log) throws IOException {
        List<Handout> out = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("HANDOUT ")) {
                String[] f = line.split(" ");
                out.add(new Handout(Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), f[4],
                        Integer.parseInt(f[5])));
            }
        }
        return out;
    }
}
