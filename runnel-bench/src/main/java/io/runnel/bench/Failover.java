// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.api.Primitive;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Rebalance and failover timings, with events flowing at a steady {@code --rate}.
 *
 * <p><b>Rebalance</b>: worker A owns all 16 partitions; worker B starts. Measured: time from
 * B's start until every partition is owned again (by exactly one of them, each owning what it
 * is assigned), how long the partitions that moved to B paused, and the longest pause of the
 * partitions that stayed with A compared with their normal inter-arrival gap before B came.
 *
 * <p><b>Failover</b>, once per {@code --lock-expiry} value: a worker in a child JVM
 * ({@link FailoverChild}, same classpath) and one in this JVM share the processor, 8 partitions
 * each; the child is killed with SIGKILL ({@link Process#destroyForcibly()}). Measured: time
 * from the kill until this worker owns all 16 partitions, and until it has processed an event
 * on every partition the child had. Nobody announces a SIGKILLed worker's departure, so that
 * time is dominated by {@code lock_expiry}: the child's heartbeat and locks must expire
 * before it is reaped and its partitions can be taken.
 *
 * <p>Both apps run in this JVM as two {@link App}s (as two processes would), so each
 * worker's processing can be timed on the same clock.
 */
public final class Failover {
    static final String USAGE = "usage: Failover [--parts rebalance,kill] [--rate EVENTS_PER_S] [--lock-expiry 2s,5s] "
            + "[--assignment-sleep 200ms] [--read-timeout 200ms] [--grace-period 1s] [--transport lettuce|jedis] "
            + "[--redis-url URL] [--out FILE]";
    static final String STREAM = "ticks";
    static final String PROCESSOR = "proc";
    static final int PARTITIONS = 16;
    /** Events flow this long before anything happens, so the "normal" gaps can be measured. */
    private static final Duration STEADY = Duration.ofSeconds(3);
    /** And this long after the change is complete. */
    private static final Duration AFTER = Duration.ofSeconds(3);

    /** The event: a sequence number (the partition key) and when it was sent. */
    @Primitive
    public record Tick(long seq, long sentMicros) {
    }

    /** Told of every processed event. */
    interface Recorder {
        void processed(int partition, long nanoTime);
    }

    private final double rate;
    private final Map<String, String> baseSettings;

    private Failover(double rate, Map<String, String> baseSettings) {
        this.rate = rate;
        this.baseSettings = baseSettings;
    }

    /** The app every worker of a run defines the same way, in this JVM or the child. */
    static App define(App.Builder builder, Recorder recorder) {
        App app = builder.build();
        Stream<Tick> ticks = app.stream(STREAM, Tick.class, Tick::seq);
        app.processor(ticks, PROCESSOR, events -> {
            int partition = events.partition();
            for (Tick t : events.records()) {
                recorder.processed(partition, System.nanoTime());
            }
        });
        return app;
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        List<String> parts = cli.list("parts", "rebalance,kill");
        int rate = cli.integer("rate", 2000);
        List<Duration> expiries = cli.list("lock-expiry", "2s,5s").stream().map(Cli::parseDuration).toList();
        Duration assignmentSleep = cli.duration("assignment-sleep", Duration.ofMillis(200));
        Duration readTimeout = cli.duration("read-timeout", Duration.ofMillis(200));
        Duration grace = cli.duration("grace-period", Duration.ofSeconds(1));
        String transport = cli.string("transport", "lettuce");
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("failover").toString()));
        cli.rejectUnknown();

        Map<String, Object> doc = Bench.machine();
        try (Bench.Redis redis = Bench.Redis.startOrUse(url)) {
            Map<String, String> settings = childSettings(redis.url(), transport, assignmentSleep, readTimeout, grace);
            Failover f = new Failover(rate, settings);
            doc.put("rate", rate);
            doc.put("transport", transport);
            doc.put("settings", settingNames(settings));
            System.out.printf("settings: %s, rate %,d events/s (%.1f ms between events of one partition)%n",
                    settingNames(settings), rate, PARTITIONS * 1000.0 / rate);
            if (parts.contains("rebalance")) {
                doc.put("rebalance", f.rebalance(expiries.get(0)));
            }
            if (parts.contains("kill")) {
                List<Map<String, Object>> kills = new ArrayList<>();
                for (Duration expiry : expiries) {
                    kills.add(f.kill(expiry));
                }
                doc.put("kill", kills);
                System.out.println();
                System.out.printf("%-14s %-22s %-26s %s%n", "lock_expiry", "all owned after kill", "all processed after kill",
                        "(ratio to lock_expiry)");
                for (Map<String, Object> k : kills) {
                    double le = ((Number) k.get("lockExpiryMs")).doubleValue();
                    double processed = ((Number) k.get("processedAfterKillMs")).doubleValue();
                    System.out.printf("%-14s %-22s %-26s %.2f%n", (long) le + " ms", k.get("ownedAfterKillMs") + " ms",
                            processed + " ms", processed / le);
                }
            }
        }
        Bench.writeJson(out, doc);
        System.exit(0);
    }

    /**
     * The settings of a run's workers as RUNNEL_* variables, because a child JVM is
     * configured through its environment.
     */
    static Map<String, String> childSettings(String redisUrl, String transport, Duration assignmentSleep,
                                             Duration readTimeout, Duration grace) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("RUNNEL_REDIS_URL", redisUrl);
        settings.put("RUNNEL_TRANSPORT", transport);
        settings.put("RUNNEL_DEFAULT_PARTITION_COUNT", Integer.toString(PARTITIONS));
        settings.put("RUNNEL_DEFAULT_JOIN_DELAY", "0");
        settings.put("RUNNEL_DEFAULT_ASSIGNMENT_SLEEP", assignmentSleep.toMillis() + "ms");
        settings.put("RUNNEL_DEFAULT_READ_TIMEOUT", readTimeout.toMillis() + "ms");
        settings.put("RUNNEL_DEFAULT_GRACE_PERIOD", grace.toMillis() + "ms");
        return settings;
    }

    private Map<String, String> settings(Duration lockExpiry) {
        Map<String, String> s = new LinkedHashMap<>(baseSettings);
        s.put("RUNNEL_DEFAULT_LOCK_EXPIRY", lockExpiry.toMillis() + "ms");
        return s;
    }

    private static Map<String, String> settingNames(Map<String, String> env) {
        Map<String, String> m = new LinkedHashMap<>();
        env.forEach((k, v) -> {
            if (!k.equals("RUNNEL_REDIS_URL")) {
                m.put(k.substring("RUNNEL_".length()).toLowerCase(), v);
            }
        });
        return m;
    }

    private static App app(String name, Map<String, String> settings, Recorder recorder) {
        return define(App.builder(name).environment(settings), recorder);
    }

    private static String unique(String prefix) {
        return prefix + Long.toString(System.currentTimeMillis(), 36);
    }

    // --------------------------------------------------------------- rebalance

    private Map<String, Object> rebalance(Duration lockExpiry) throws Exception {
        String name = unique("rebalance");
        Map<String, String> settings = settings(lockExpiry);
        Timelines a = new Timelines(PARTITIONS);
        Timelines b = new Timelines(PARTITIONS);
        try (App appA = app(name, settings, a::add); App appB = app(name, settings, b::add)) {
            Worker workerA = appA.worker().start();
            Bench.await("worker A to own all partitions", Duration.ofSeconds(60),
                    () -> workerA.ownedPartitions(PROCESSOR).size() == PARTITIONS);
            @SuppressWarnings("unchecked")
            Stream<Tick> ticks = (Stream<Tick>) appA.streamNamed(STREAM);
            long flowStart = System.nanoTime();
            PacedProducer<Tick> producer = new PacedProducer<>(ticks, rate, Duration.ofMillis(1), Failover::tick);
            Thread.sleep(STEADY.toMillis()); // steady flow before the change: a duration, not a synchronisation

            long t0 = System.nanoTime();
            Worker workerB = appB.worker().start();
            long assignedAt = -1;
            while (true) {
                Set<Integer> ownedA = workerA.ownedPartitions(PROCESSOR);
                Set<Integer> ownedB = workerB.ownedPartitions(PROCESSOR);
                Set<Integer> assignedB = workerB.assignedPartitions(PROCESSOR);
                if (assignedAt < 0 && !assignedB.isEmpty()) {
                    assignedAt = System.nanoTime();
                }
                Set<Integer> union = new TreeSet<>(ownedA);
                union.addAll(ownedB);
                if (!ownedB.isEmpty() && union.size() == PARTITIONS && ownedA.size() + ownedB.size() == PARTITIONS
                        && ownedA.equals(workerA.assignedPartitions(PROCESSOR)) && ownedB.equals(assignedB)) {
                    break;
                }
                if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(120)) {
                    throw new IllegalStateException("rebalance incomplete after 120 s: A owns " + ownedA + ", B owns " + ownedB);
                }
                Thread.sleep(0, 200_000); // polling: the engine has no ownership callback
            }
            long ownedAt = System.nanoTime();
            Set<Integer> moved = new TreeSet<>(workerB.ownedPartitions(PROCESSOR));
            Set<Integer> stayed = new TreeSet<>(workerA.ownedPartitions(PROCESSOR));
            Thread.sleep(AFTER.toMillis()); // keep the flow going after the change
            producer.close();
            long sent = producer.sent();
            Bench.await("every sent event to be processed", Duration.ofSeconds(60), () -> a.total() + b.total() >= sent);

            // Normal pauses: the steady flow before B started (after the first second of warm-up).
            long normal = 0;
            for (int p = 0; p < PARTITIONS; p++) {
                normal = Math.max(normal, Timelines.maxGap(p, flowStart + TimeUnit.SECONDS.toNanos(1), t0, a));
            }
            long windowEnd = ownedAt + TimeUnit.MILLISECONDS.toNanos(500);
            long stayedGap = 0;
            for (int p : stayed) {
                stayedGap = Math.max(stayedGap, Timelines.maxGap(p, t0, windowEnd, a, b));
            }
            long movedGap = 0;
            long movedFirst = 0;
            for (int p : moved) {
                movedGap = Math.max(movedGap, Timelines.maxGap(p, t0, windowEnd, a, b));
                long first = b.firstAfter(p, t0);
                movedFirst = Math.max(movedFirst, first < 0 ? Long.MAX_VALUE : first - t0);
            }
            workerB.stop();
            workerA.stop();

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("lockExpiryMs", lockExpiry.toMillis());
            r.put("assignedToBAfterMs", Bench.millis(assignedAt - t0));
            r.put("allOwnedAfterMs", Bench.millis(ownedAt - t0));
            r.put("movedPartitions", moved);
            r.put("stayedPartitions", stayed);
            r.put("movedFirstProcessedByBAfterMs", Bench.millis(movedFirst));
            r.put("movedMaxGapMs", Bench.millis(movedGap));
            r.put("stayedMaxGapMs", Bench.millis(stayedGap));
            r.put("normalMaxGapMs", Bench.millis(normal));
            r.put("meanInterArrivalMs", Math.round(PARTITIONS * 100_000.0 / rate) / 100.0);
            long longestSend = producer.takeLongestSendNanos();
            r.put("longestSendMs", Bench.millis(longestSend));
            r.put("eventsSent", sent);
            r.put("eventsProcessed", a.total() + b.total());
            System.out.println();
            System.out.printf("rebalance: B assigned after %.1f ms, all %d partitions owned after %.1f ms (%d moved to B)%n",
                    Bench.millis(assignedAt - t0), PARTITIONS, Bench.millis(ownedAt - t0), moved.size());
            System.out.printf("  moved partitions: first event processed by B %.1f ms after its start; longest pause %.1f ms%n",
                    Bench.millis(movedFirst), Bench.millis(movedGap));
            System.out.printf("  partitions that stayed with A: longest pause %.1f ms during the rebalance; "
                    + "normal longest gap before it %.1f ms (mean inter-arrival %.1f ms)%n",
                    Bench.millis(stayedGap), Bench.millis(normal), PARTITIONS * 1000.0 / rate);
            System.out.printf("  (the producer's longest single sendAll took %.1f ms: pauses that long can be the producer's)%n",
                    Bench.millis(longestSend));
            return r;
        }
    }

    // -------------------------------------------------------------------- kill

    private Map<String, Object> kill(Duration lockExpiry) throws Exception {
        String name = unique("failover");
        Map<String, String> settings = settings(lockExpiry);
        Timelines survivorLog = new Timelines(PARTITIONS);
        System.out.println();
        System.out.printf("failover with lock_expiry %d ms: starting the child worker%n", lockExpiry.toMillis());
        Child child = Child.start(name, settings);
        try (App app = app(name, settings, survivorLog::add)) {
            child.awaitOwned(PARTITIONS, Duration.ofSeconds(60));
            Worker survivor = app.worker().start();
            Bench.await("the two workers to share the partitions", Duration.ofSeconds(60),
                    () -> survivor.ownedPartitions(PROCESSOR).size() == PARTITIONS / 2 && child.owned().size() == PARTITIONS / 2);
            @SuppressWarnings("unchecked")
            Stream<Tick> ticks = (Stream<Tick>) app.streamNamed(STREAM);
            PacedProducer<Tick> producer = new PacedProducer<>(ticks, rate, Duration.ofMillis(1), Failover::tick);
            long childBefore = child.processed();
            Thread.sleep(STEADY.toMillis()); // steady flow before the kill
            Set<Integer> childParts = new TreeSet<>(child.owned());
            if (child.processed() <= childBefore) {
                throw new IllegalStateException("the child processed nothing before the kill");
            }
            Set<Integer> survivorParts = survivor.ownedPartitions(PROCESSOR);
            long killedAt = System.nanoTime();
            child.kill();
            long ownedAt = -1;
            long deadline = killedAt + lockExpiry.multipliedBy(10).plusSeconds(30).toNanos();
            while (true) {
                long now = System.nanoTime();
                if (ownedAt < 0 && survivor.ownedPartitions(PROCESSOR).size() == PARTITIONS) {
                    ownedAt = now;
                }
                if (ownedAt >= 0 && childParts.stream().allMatch(p -> survivorLog.firstAfter(p, killedAt) >= 0)) {
                    break;
                }
                if (now > deadline) {
                    throw new IllegalStateException("after the kill the survivor owns " + survivor.ownedPartitions(PROCESSOR));
                }
                Thread.sleep(0, 200_000); // polling: the engine has no ownership callback
            }
            long firstProcessed = Long.MAX_VALUE;
            long lastProcessed = 0;
            for (int p : childParts) {
                long t = survivorLog.firstAfter(p, killedAt) - killedAt;
                firstProcessed = Math.min(firstProcessed, t);
                lastProcessed = Math.max(lastProcessed, t);
            }
            long survivorGap = 0;
            for (int p : survivorParts) {
                survivorGap = Math.max(survivorGap, Timelines.maxGap(p, killedAt, System.nanoTime(), survivorLog));
            }
            producer.close();
            survivor.stop();

            Map<String, Object> r = new LinkedHashMap<>();
            r.put("lockExpiryMs", lockExpiry.toMillis());
            r.put("childPartitions", childParts);
            r.put("ownedAfterKillMs", Bench.millis(ownedAt - killedAt));
            r.put("firstPartitionProcessedAfterKillMs", Bench.millis(firstProcessed));
            r.put("processedAfterKillMs", Bench.millis(lastProcessed));
            r.put("survivorOwnPartitionsMaxGapMs", Bench.millis(survivorGap));
            System.out.printf("  SIGKILL of the child (pid %d, partitions %s): survivor owns all %d after %.1f ms; "
                    + "all of them processed again after %.1f ms (first %.1f ms); survivor's own partitions paused at most %.1f ms%n",
                    child.pid(), childParts, PARTITIONS, Bench.millis(ownedAt - killedAt), Bench.millis(lastProcessed),
                    Bench.millis(firstProcessed), Bench.millis(survivorGap));
            return r;
        } finally {
            child.kill();
        }
    }

    static Tick tick(long seq) {
        Instant now = Instant.now();
        return new Tick(seq, now.getEpochSecond() * 1_000_000 + now.getNano() / 1000);
    }

    /** The child JVM running {@link FailoverChild}, and what it last reported on its stdout. */
    static final class Child {
        private final Process process;
        private volatile Set<Integer> owned = Set.of();
        private volatile long processed;
        private final Object changed = new Object();

        private Child(Process process) {
            this.process = process;
            Thread.ofPlatform().daemon().name("failover-child-reader").start(this::readStatus);
        }

        static Child start(String appName, Map<String, String> settings) throws Exception {
            String java = Bench.javaBinary();
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    FailoverChild.class.getName(), appName)
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_"));
            pb.environment().putAll(settings);
            return new Child(pb.start());
        }

        long pid() {
            return process.pid();
        }

        Set<Integer> owned() {
            return owned;
        }

        long processed() {
            return processed;
        }

        /** Waits until the child reports owning {@code n} partitions (it prints its state whenever it changes). */
        void awaitOwned(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            synchronized (changed) {
                while (owned.size() != n) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || !process.isAlive()) {
                        throw new IllegalStateException("the child worker owns " + owned + " (alive: " + process.isAlive() + ")");
                    }
                    TimeUnit.NANOSECONDS.timedWait(changed, left);
                }
            }
        }

        /** SIGTERM: the child's shutdown hook stops its worker gracefully and reports once more. */
        void stop() throws InterruptedException {
            // Not Process.destroy(): it also closes the child's stdin, which the child takes
            // for its parent's death and halts at once, cutting the graceful stop short.
            process.toHandle().destroy();
            process.waitFor();
        }

        boolean alive() {
            return process.isAlive();
        }

        /** SIGKILL: no shutdown hook runs, nothing is released or announced. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }

        private void readStatus() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.startsWith(FailoverChild.STATUS)) {
                        continue;
                    }
                    // "STATUS owned=0,1,2 processed=123"
                    String[] f = line.substring(FailoverChild.STATUS.length()).trim().split(" ");
                    Set<Integer> o = new TreeSet<>();
                    try {
                        for (String p : f[0].substring("owned=".length()).split(",")) {
                            if (!p.isEmpty()) {
                                o.add(Integer.parseInt(p));
                            }
                        }
                        processed = Long.parseLong(f[1].substring("processed=".length()));
                    } catch (RuntimeException garbled) {
                        // A line another write broke into: the next report, 20 ms later, stands.
                        System.err.println("failover: skipping a garbled child report: " + line);
                        continue;
                    }
                    owned = o;
                    synchronized (changed) {
                        changed.notifyAll();
                    }
                }
            } catch (Exception e) {
                // The child died (killed on purpose); its last report stands.
            }
        }
    }
}
