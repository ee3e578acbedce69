// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.runnel.engine.App;
import io.runnel.engine.BenchAccess;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Membership at scale (issue 12): one processor of 1,024 partitions shared by 64 executors
 * on one Redis, each executor in its own {@link App} (own transport and connections, as if
 * it were its own process; they share this JVM), default coordination settings. Then one
 * more executor joins and, once that settled, the oldest one stops gracefully. It reports:
 *
 * <ul>
 *   <li><b>convergence</b>: from the start of the join (or stop) until every partition's lock
 *       is held by the executor the membership record assigns it to, and the record has the
 *       members it should;</li>
 *   <li><b>assignment moves</b>: partitions whose assigned executor differs between the
 *       record before and the record after, next to the fewest the change requires;</li>
 *   <li><b>longest ownerless</b>: the longest time any partition's lock was free;</li>
 *   <li><b>Redis commands per second at rest</b>, from {@code INFO commandstats} over a
 *       window with no events flowing and nothing changing (heartbeats, lock extensions,
 *       membership checks, control-stream and fetch reads, reaping, retention passes,
 *       leader polls); this harness sends nothing meanwhile;</li>
 *   <li>the size of the membership record ({@code __memb}) in bytes.</li>
 * </ul>
 *
 * <p>A tracker reads the record and all lock values (one GET, one MGET) every
 * {@value #POLL_MS} ms while a change is measured, which bounds the resolution.
 */
public final class Scale {
    static final String USAGE = "usage: Scale [--partitions 1024] [--executors 64] [--rest 30s] "
            + "[--transport lettuce|jedis] [--redis-url URL] [--out FILE]";
    private static final String APP = "scale";
    private static final String STREAM = "orders";
    private static final String PROCESSOR = "scale";
    private static final int POLL_MS = 10;
    private static final Duration PATIENCE = Duration.ofMinutes(5);

    private final int partitions;
    private final String url;
    private final String transport;
    private final RedisCommands<String, String> redis;
    private final String membersKey;
    private final String[] lockKeys;
    private final LongAdder processed = new LongAdder();
    private final List<App> apps = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();

    private Scale(int partitions, String url, String transport, RedisCommands<String, String> redis) {
        this.partitions = partitions;
        this.url = url;
        this.transport = transport;
        this.redis = redis;
        this.membersKey = BenchAccess.membersKey(APP, STREAM, PROCESSOR);
        this.lockKeys = new String[partitions];
        for (int p = 0; p < partitions; p++) {
            lockKeys[p] = BenchAccess.lockKey(APP, STREAM, PROCESSOR, p);
        }
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int partitions = cli.integer("partitions", 1024);
        int executors = cli.integer("executors", 64);
        Duration rest = cli.duration("rest", Duration.ofSeconds(30));
        String transport = cli.string("transport", "lettuce");
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("scale").toString()));
        cli.rejectUnknown();

        Map<String, Object> doc = Bench.machine();
        try (Bench.Redis r = Bench.Redis.startOrUse(url)) {
            RedisClient client = RedisClient.create(r.url());
            try (StatefulRedisConnection<String, String> conn = client.connect()) {
                Scale scale = new Scale(partitions, r.url(), transport, conn.sync());
                doc.putAll(scale.run(executors, rest));
            } finally {
                client.shutdown();
            }
        }
        doc.put("partitions", partitions);
        doc.put("executors", executors);
        doc.put("transport", transport);
        Bench.writeJson(out, doc);
        System.exit(0);
    }

    private Map<String, Object> run(int executors, Duration rest) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            List<App> defined = new ArrayList<>();
            for (int i = 0; i < executors; i++) {
                defined.add(newApp());
            }
            long t0 = System.nanoTime();
            for (App app : defined) {
                workers.add(app.worker(PROCESSOR).start());
            }
            long startedNanos = System.nanoTime() - t0;
            Change start = track(t0, executors);
            System.out.printf("%d executors started in %,d ms, converged %,d ms after the first start%n", executors,
                    startedNanos / 1_000_000, start.convergedMs());
            result.put("startCallsMs", startedNanos / 1_000_000);
            result.put("startConvergedMs", start.convergedMs());

            // At rest: nothing flows, nothing changes; the tracker is quiet too.
            redis.configResetstat();
            double cpuBefore = redisCpuSeconds();
            Thread.sleep(rest.toMillis());
            double redisCpu = redisCpuSeconds() - cpuBefore;
            Map<String, Long> calls = commandCalls();
            long total = calls.values().stream().mapToLong(Long::longValue).sum();
            double seconds = rest.toNanos() / 1e9;
            Map<String, Object> rates = new LinkedHashMap<>();
            calls.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> rates.put(e.getKey(), Math.round(e.getValue() / seconds * 10) / 10.0));
            result.put("restSeconds", seconds);
            result.put("restCommandsPerSecond", Math.round(total / seconds * 10) / 10.0);
            result.put("restCommandsPerSecondPerExecutor", Math.round(total / seconds / executors * 100) / 100.0);
            result.put("restCommandsByName", rates);
            result.put("restRedisCpuPercent", Math.round(redisCpu / seconds * 1000) / 10.0);
            result.put("connectedClients", clientCount());
            result.put("membersRecordBytes", redis.strlen(membersKey));
            System.out.printf("at rest: %.1f commands/s (%.2f per executor), Redis CPU %.1f %% over %.0f s: %s%n",
                    total / seconds, total / seconds / executors, redisCpu / seconds * 100, seconds, rates);
            System.out.printf("membership record: %,d bytes%n", redis.strlen(membersKey));

            Map<Integer, String> before = assignment();
            long joinStart = System.nanoTime();
            workers.add(newApp().worker(PROCESSOR).start());
            Change join = track(joinStart, executors + 1);
            Map<Integer, String> afterJoin = assignment();
            String newcomer = members(afterJoin).stream().filter(m -> !before.containsValue(m)).findFirst().orElseThrow();
            result.put("join", join.describe(moves(before, afterJoin), count(afterJoin, newcomer)));
            System.out.printf("join: %s%n", result.get("join"));

            String oldest = oldestMember();
            long leaveStart = System.nanoTime();
            Worker leaver = workers.remove(0);
            Thread stopper = Thread.ofPlatform().start(leaver::stop); // the tracker watches while it stops
            Change leave = track(leaveStart, executors);
            stopper.join();
            Map<Integer, String> afterLeave = assignment();
            result.put("leave", leave.describe(moves(afterJoin, afterLeave), count(afterJoin, oldest)));
            System.out.printf("leave: %s%n", result.get("leave"));
            result.put("processed", processed.sum());
            return result;
        } finally {
            for (Worker w : workers) {
                w.stop();
            }
            for (App a : apps) {
                a.close();
            }
        }
    }

    /** One executor's app: default coordination settings, {@code partitions} partitions. */
    private App newApp() {
        App app = App.builder(APP)
                .environment(Map.of())
                .redisUrl(url)
                .setting("transport", transport)
                .setting("default_partition_count", partitions)
                .build();
        Stream<Order> orders = app.stream(STREAM, Order.class, Order::id);
        app.processor(orders, PROCESSOR, events -> {
            for (Order o : events.records()) {
                processed.increment();
            }
        });
        apps.add(app);
        return app;
    }

    /** What the tracker saw of one membership change. */
    private record Change(long convergedNanos, long longestOwnerlessNanos, int ownerMoves) {
        long convergedMs() {
            return convergedNanos / 1_000_000;
        }

        Map<String, Object> describe(int assignmentMoves, int fewestMoves) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("convergedMs", convergedMs());
            m.put("assignmentMoves", assignmentMoves);
            m.put("fewestMoves", fewestMoves);
            m.put("ownerMoves", ownerMoves);
            m.put("longestOwnerlessMs", longestOwnerlessNanos / 1_000_000);
            return m;
        }
    }

    /**
     * Polls until the record has {@code members} members and every lock is held by the member
     * the record assigns its partition to.
     *
     * @param since when the change began
     */
    private Change track(long since, int members) throws InterruptedException {
        long deadline = since + PATIENCE.toNanos();
        String[] lastOwner = new String[partitions];
        long[] freeSince = new long[partitions];
        Arrays.fill(freeSince, -1);
        long longestFree = 0;
        int ownerMoves = 0;
        boolean first = true;
        while (true) {
            long now = System.nanoTime();
            Map<Integer, String> assigned = assignment();
            List<KeyValue<String, String>> locks = redis.mget(lockKeys);
            boolean converged = members(assigned).size() == members && assigned.size() == partitions;
            for (int p = 0; p < partitions; p++) {
                String owner = locks.get(p).hasValue() ? BenchAccess.lockOwner(locks.get(p).getValue()) : null;
                converged &= owner != null && owner.equals(assigned.get(p));
                if (owner == null) {
                    if (freeSince[p] < 0 && !first) {
                        freeSince[p] = now;
                    }
                    continue;
                }
                if (freeSince[p] >= 0) {
                    longestFree = Math.max(longestFree, now - freeSince[p]);
                    freeSince[p] = -1;
                }
                if (lastOwner[p] != null && !lastOwner[p].equals(owner)) {
                    ownerMoves++;
                }
                lastOwner[p] = owner;
            }
            first = false;
            if (converged) {
                return new Change(now - since, longestFree, ownerMoves);
            }
            if (now > deadline) {
                throw new IllegalStateException("no convergence after " + PATIENCE + ": " + members(assigned).size()
                        + " members in the record, expected " + members);
            }
            Thread.sleep(POLL_MS);
        }
    }

    /** Partition to assigned executor, from the membership record. */
    private Map<Integer, String> assignment() {
        String record = redis.get(membersKey);
        Map<Integer, String> assigned = new TreeMap<>();
        if (record == null) {
            return assigned;
        }
        try {
            JsonNode root = Bench.JSON.readTree(record);
            root.fields().forEachRemaining(e -> e.getValue().path("partitions").forEach(p -> assigned.put(p.asInt(), e.getKey())));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("membership record is not JSON", e);
        }
        return assigned;
    }

    private String oldestMember() throws java.io.IOException {
        JsonNode root = Bench.JSON.readTree(redis.get(membersKey));
        List<Map.Entry<String, String>> joined = new ArrayList<>();
        root.fields().forEachRemaining(e -> joined.add(Map.entry(e.getKey(), e.getValue().path("joined_at").asText())));
        return joined.stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
    }

    private static List<String> members(Map<Integer, String> assignment) {
        return assignment.values().stream().distinct().sorted(Comparator.naturalOrder()).toList();
    }

    private static int moves(Map<Integer, String> before, Map<Integer, String> after) {
        int moved = 0;
        for (Map.Entry<Integer, String> e : after.entrySet()) {
            if (!e.getValue().equals(before.get(e.getKey()))) {
                moved++;
            }
        }
        return moved;
    }

    private static int count(Map<Integer, String> assignment, String member) {
        return (int) assignment.values().stream().filter(member::equals).count();
    }

    /** Calls per command since the last CONFIG RESETSTAT, without this harness's own INFO and CONFIG. */
    private Map<String, Long> commandCalls() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                int at = line.indexOf("calls=") + "calls=".length();
                long n = Long.parseLong(line.substring(at, line.indexOf(',', at)));
                if (!name.equals("info") && !name.startsWith("config")) { // the harness's own
                    calls.put(name, n);
                }
            }
        }
        return calls;
    }

    /** The server's CPU time so far (user + system, all its threads), in seconds. */
    private double redisCpuSeconds() {
        double cpu = 0;
        for (String line : redis.info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                cpu += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return cpu;
    }

    private long clientCount() {
        for (String line : redis.info("clients").split("\r?\n")) {
            if (line.startsWith("connected_clients:")) {
                return Long.parseLong(line.substring("connected_clients:".length()).trim());
            }
        }
        return -1;
    }
}
