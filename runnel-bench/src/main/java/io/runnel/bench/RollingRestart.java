// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.engine.App;
import io.runnel.engine.Stream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rolling restart (issue 12): three worker processes ({@link FailoverChild}, one per
 * "slot") share a processor of 16 partitions while events flow; each in turn gets SIGTERM
 * and is started again, once with dynamic members and once with static ones ({@code
 * member_id} = the slot's name). A tracker polls the children's reported ownership every
 * 5 ms and counts:
 *
 * <ul>
 *   <li><b>moves</b>: a partition owned next by another slot than the one that owned it
 *       last (the first owner of each partition is not a move);</li>
 *   <li><b>longest ownerless time</b> of any partition (no live child reports it), which
 *       bounds how long its events wait;</li>
 *   <li><b>re-deliveries</b>: events processed minus events sent, once everything sent was
 *       processed.</li>
 * </ul>
 */
public final class RollingRestart {
    static final String USAGE = "usage: RollingRestart [--rate EVENTS_PER_S] [--lock-expiry 4s] [--session-timeout 15s] "
            + "[--transport lettuce|jedis] [--redis-url URL] [--out FILE]";
    private static final int SLOTS = 3;
    private static final int PARTITIONS = Failover.PARTITIONS;
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final Duration STEADY = Duration.ofSeconds(2);

    /** The children of one run, by slot, and what the tracker saw of them. */
    private static final class Slots {
        final Failover.Child[] live = new Failover.Child[SLOTS];
        final List<Failover.Child> all = new ArrayList<>();
        final int[] lastOwner = new int[PARTITIONS];
        final long[] ownerlessSince = new long[PARTITIONS];
        int moves;
        long longestOwnerlessNanos;

        Slots() {
            Arrays.fill(lastOwner, -1);
            Arrays.fill(ownerlessSince, -1);
        }

        synchronized void start(int slot, String app, Map<String, String> settings) throws Exception {
            Failover.Child child = Failover.Child.start(app, settings);
            live[slot] = child;
            all.add(child);
        }

        /** One look at who owns what. */
        synchronized void poll() {
            long now = System.nanoTime();
            for (int p = 0; p < PARTITIONS; p++) {
                int owner = -1;
                for (int slot = 0; slot < SLOTS; slot++) {
                    Failover.Child c = live[slot];
                    if (c != null && c.alive() && c.owned().contains(p)) {
                        owner = slot;
                    }
                }
                if (owner < 0) {
                    if (ownerlessSince[p] < 0 && lastOwner[p] >= 0) {
                        ownerlessSince[p] = now;
                    }
                    continue;
                }
                if (ownerlessSince[p] >= 0) {
                    longestOwnerlessNanos = Math.max(longestOwnerlessNanos, now - ownerlessSince[p]);
                    ownerlessSince[p] = -1;
                }
                if (lastOwner[p] >= 0 && lastOwner[p] != owner) {
                    moves++;
                }
                lastOwner[p] = owner;
            }
        }

        synchronized boolean allOwned() {
            for (int p = 0; p < PARTITIONS; p++) {
                boolean owned = false;
                for (Failover.Child c : live) {
                    owned |= c != null && c.alive() && c.owned().contains(p);
                }
                if (!owned) {
                    return false;
                }
            }
            return true;
        }

        long processed() {
            return all.stream().mapToLong(Failover.Child::processed).sum();
        }
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int rate = cli.integer("rate", 2000);
        Duration lockExpiry = cli.duration("lock-expiry", Duration.ofSeconds(4));
        Duration sessionTimeout = cli.duration("session-timeout", Duration.ofSeconds(15));
        String transport = cli.string("transport", "lettuce");
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("rolling").toString()));
        cli.rejectUnknown();

        Map<String, Object> doc = Bench.machine();
        List<Map<String, Object>> runs = new ArrayList<>();
        try (Bench.Redis redis = Bench.Redis.startOrUse(url)) {
            Map<String, String> settings = Failover.childSettings(redis.url(), transport, Duration.ofMillis(200),
                    Duration.ofMillis(200), Duration.ofSeconds(1));
            settings.put("RUNNEL_DEFAULT_LOCK_EXPIRY", lockExpiry.toMillis() + "ms");
            settings.put("RUNNEL_DEFAULT_SESSION_TIMEOUT", sessionTimeout.toMillis() + "ms");
            for (boolean staticIds : new boolean[] {false, true}) {
                runs.add(run(settings, rate, staticIds));
            }
        }
        System.out.printf("%n%-8s %6s %22s %14s %8s%n", "members", "moves", "longest ownerless ms", "re-delivered",
                "sent");
        for (Map<String, Object> r : runs) {
            System.out.printf("%-8s %6d %22d %14d %,8d%n", r.get("members"), r.get("moves"), r.get("longestOwnerlessMs"),
                    r.get("redelivered"), r.get("sent"));
        }
        doc.put("rate", rate);
        doc.put("lockExpiryMs", lockExpiry.toMillis());
        doc.put("sessionTimeoutMs", sessionTimeout.toMillis());
        doc.put("runs", runs);
        Bench.writeJson(out, doc);
        System.exit(0);
    }

    private static Map<String, Object> run(Map<String, String> base, int rate, boolean staticIds) throws Exception {
        String app = "rolling" + (staticIds ? "static" : "dynamic") + Long.toString(System.currentTimeMillis(), 36);
        Slots slots = new Slots();
        Thread tracker = Thread.ofPlatform().daemon().name("rolling-tracker").unstarted(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                slots.poll();
                try {
                    Thread.sleep(5); // the tracker's polling interval
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        try (App producerApp = Failover.define(App.builder(app).environment(base), (p, t) -> { })) {
            @SuppressWarnings("unchecked")
            Stream<Failover.Tick> ticks = (Stream<Failover.Tick>) producerApp.streamNamed(Failover.STREAM);
            for (int slot = 0; slot < SLOTS; slot++) {
                slots.start(slot, app, settings(base, staticIds, slot));
            }
            // The first joins are not part of the restart: track from a settled, balanced start.
            Bench.await("every partition owned, by every worker", PATIENCE, () -> slots.allOwned()
                    && Arrays.stream(slots.live).allMatch(c -> c.owned().size() >= PARTITIONS / SLOTS));
            tracker.start();
            long sent;
            try (PacedProducer<Failover.Tick> producer = new PacedProducer<>(ticks, rate, Duration.ofMillis(1), Failover::tick)) {
                Thread.sleep(STEADY.toMillis()); // steady flow before the first restart
                for (int slot = 0; slot < SLOTS; slot++) {
                    long t0 = System.nanoTime();
                    slots.live[slot].stop();
                    long stopped = System.nanoTime();
                    slots.start(slot, app, settings(base, staticIds, slot));
                    Failover.Child restarted = slots.live[slot];
                    Bench.await("the restarted worker to own partitions, and every partition owned", PATIENCE,
                            () -> !restarted.owned().isEmpty() && slots.allOwned());
                    System.out.printf("slot %d: stopped in %d ms, owning again %d ms later%n", slot,
                            (stopped - t0) / 1_000_000, (System.nanoTime() - stopped) / 1_000_000);
                    Thread.sleep(STEADY.toMillis()); // steady flow between restarts
                }
                producer.close();
                sent = producer.sent();
            }
            try {
                Bench.await("every event processed", PATIENCE, () -> slots.processed() >= sent);
            } catch (IllegalStateException e) {
                throw new IllegalStateException(e.getMessage() + ": processed " + slots.processed() + " of " + sent
                        + " sent; children (processed, owned, alive): " + slots.all.stream()
                        .map(c -> c.processed() + " " + c.owned() + " " + c.alive()).toList(), e);
            }
            // Stop tracking before the final stops, which are not part of the rolling restart.
            tracker.interrupt();
            tracker.join();
            for (Failover.Child c : slots.live) {
                c.stop();
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("members", staticIds ? "static" : "dynamic");
            r.put("moves", slots.moves);
            r.put("longestOwnerlessMs", slots.longestOwnerlessNanos / 1_000_000);
            r.put("redelivered", slots.processed() - sent);
            r.put("sent", sent);
            System.out.printf("%s members: %d moves, longest ownerless %d ms, %d re-delivered of %,d sent%n",
                    r.get("members"), slots.moves, slots.longestOwnerlessNanos / 1_000_000, slots.processed() - sent, sent);
            return r;
        }
    }

    private static Map<String, String> settings(Map<String, String> base, boolean staticIds, int slot) {
        Map<String, String> s = new LinkedHashMap<>(base);
        if (staticIds) {
            s.put("RUNNEL_MEMBER_ID", "slot-" + slot);
        }
        return s;
    }
}
