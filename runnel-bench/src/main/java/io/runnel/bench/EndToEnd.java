package io.runnel.bench;

import io.lettuce.core.Consumer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.runnel.api.RecordType;
import io.runnel.engine.App;
import io.runnel.engine.Retention;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.testkit.RedisCluster;
import io.runnel.serde.json.JsonSerializer;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntryBinary;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * End-to-end throughput harness: Runnel consumers and producers against raw Lettuce/Jedis
 * loops doing the same Redis work, alternated and repeated in one run.
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.EndToEnd [--events N] [--repeats R] [--warmup-events W] [--rows a,b] [--redis-url URL] [--out FILE] [--commands-by-name true]</pre>
 *
 * <p>The {@code runnel-memory} row runs the same processor on the in-memory transport: no
 * Redis, no network, so it shows what the engine itself costs per event. It has no raw
 * baseline.
 */
public final class EndToEnd {

    static final String APP = "bench";
    static final String STREAM = "orders";
    static final String SEND_STREAM = "send";
    /** The same sends under the maxlen retention (MAXLEN ~ on every XADD), for the acked-vs-maxlen comparison. */
    static final String SEND_MAXLEN_STREAM = "sendmaxlen";
    static final int PARTITIONS = 16;
    static final int BATCH = 1000;
    static final long PARTITION_SIZE = 50_000; // the default_partition_size (MAXLEN ~)
    static final String RAW_GROUP = "raw";
    /** The JVM-wide in-memory store of the {@code runnel-memory} row. */
    static final String MEMORY_URL = "memory://bench";
    static final List<String> ROWS = List.of("raw-lettuce", "runnel-lettuce", "runnel-lettuce-take100", "raw-jedis",
            "runnel-jedis", "raw-send-lettuce", "send-lettuce", "send-lettuce-maxlen", "runnel-memory",
            "runnel-lettuce-cluster", "runnel-jedis-cluster");
    private static final String USAGE = "usage: EndToEnd [--events N] [--repeats R] [--warmup-events W] [--rows a,b,...] "
            + "[--redis-url URL] [--out FILE] [--commands-by-name true]\n  rows: " + String.join(",", ROWS);

    static volatile long sink;

    private final int events;
    private final int repeats;
    private final int warmupEvents;
    private final String redisUrl;
    private final Path out;
    private final List<String> rowFilter;
    private boolean commandBreakdown;

    private final JsonSerializer json = new JsonSerializer();
    private final RecordType<Order> type = RecordType.of(Order.class);
    private final List<String> orderKeys = keys(STREAM);
    private final List<String> sendKeys = keys(SEND_STREAM);
    private final List<String> sendMaxlenKeys = keys(SEND_MAXLEN_STREAM);
    private final LongAdder counted = new LongAdder();
    /** For Runnel consumer rows: nanoseconds from worker start to the first counted event, else -1. */
    private long firstEventNanos = -1;

    private App lettuceApp;
    private App jedisApp;
    private App memoryApp;
    /** The cluster rows' apps (Lettuce, Jedis): the same stream and processor on a local 3-master Redis Cluster. */
    private App clusterApp;
    private App clusterJedisApp;
    private RedisCluster cluster;
    private final CommandCounter commands = new CommandCounter();
    private Stream<Order> sendStream;
    private Stream<Order> sendMaxlenStream;
    private RedisClient lettuce;
    private StatefulRedisConnection<String, byte[]> lettuceConn;

    private EndToEnd(int events, int repeats, int warmupEvents, String redisUrl, Path out, List<String> rowFilter) {
        this.rowFilter = rowFilter;
        this.events = events;
        this.repeats = repeats;
        this.warmupEvents = warmupEvents;
        this.redisUrl = redisUrl;
        this.out = out;
    }

    static List<String> keys(String stream) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < PARTITIONS; i++) {
            keys.add("__strm:" + APP + "." + stream + "." + i); // Runnel's key layout (see README)
        }
        return keys;
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int events = cli.integer("events", 200_000);
        int repeats = cli.integer("repeats", 3);
        int warmup = cli.integer("warmup-events", Math.min(events, 20_000));
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("throughput").toString()));
        List<String> rows = cli.list("rows", String.join(",", ROWS));
        boolean breakdown = Boolean.parseBoolean(cli.string("commands-by-name", "false"));
        cli.rejectUnknown();
        for (String r : rows) {
            if (!ROWS.contains(r)) {
                throw new IllegalArgumentException("unknown row " + r + "\n" + USAGE);
            }
        }
        // The in-memory row alone needs no Redis at all.
        boolean needsRedis = rows.stream().anyMatch(r -> !r.equals("runnel-memory"));
        try (Bench.Redis redis = needsRedis ? Bench.Redis.startOrUse(url) : null) {
            EndToEnd bench = new EndToEnd(events, repeats, warmup, redis == null ? null : redis.url(), out, rows);
            bench.commandBreakdown = breakdown;
            bench.run();
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- scenarios

    interface Scenario {
        /** Runs once over {@code n} events; returns elapsed nanoseconds. */
        long run(int n) throws Exception;
    }

    /** A row's rounds: events per second, the JVM's CPU microseconds and Redis's commands per event. */
    record Row(String name, String baseline, Scenario scenario, List<Double> rates, List<Double> cpuMicros,
               List<Double> commandsPerEvent) {
        Row(String name, String baseline, Scenario scenario) {
            this(name, baseline, scenario, new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private void run() throws Exception {
        List<Row> all = List.of(
                new Row("raw-lettuce", null, this::rawLettuce),
                new Row("runnel-lettuce", "raw-lettuce", n -> runnel(lettuceApp, "e2e-lettuce", n)),
                new Row("runnel-lettuce-take100", "raw-lettuce", n -> runnel(lettuceApp, "e2e-lettuce-take100", n)),
                new Row("raw-jedis", null, this::rawJedis),
                new Row("runnel-jedis", "raw-jedis", n -> runnel(jedisApp, "e2e-jedis", n)),
                new Row("raw-send-lettuce", null, this::rawSend),
                new Row("send-lettuce", "raw-send-lettuce", n -> runnelSend(sendStream, sendKeys, n)),
                new Row("send-lettuce-maxlen", "raw-send-lettuce", n -> runnelSend(sendMaxlenStream, sendMaxlenKeys, n)),
                new Row("runnel-memory", null, n -> runnel(memoryApp, "e2e-memory", n)),
                // Same stream and processor on a 3-master cluster on this machine; compared with
                // runnel-lettuce, above all for Redis commands per event (issue 13).
                new Row("runnel-lettuce-cluster", "runnel-lettuce", n -> runnel(clusterApp, "e2e-lettuce-cluster", n)),
                new Row("runnel-jedis-cluster", "runnel-jedis", n -> runnel(clusterJedisApp, "e2e-jedis-cluster", n)));
        // A Runnel row without its raw row would have no ratio: bring the baseline along.
        Set<String> wanted = new LinkedHashSet<>(rowFilter);
        for (Row row : all) {
            if (wanted.contains(row.name) && row.baseline != null) {
                wanted.add(row.baseline);
            }
        }
        List<Row> rows = all.stream().filter(r -> wanted.contains(r.name)).toList();
        boolean redisRows = rows.stream().anyMatch(r -> !r.name.equals("runnel-memory"));

        if (redisRows) {
            lettuce = RedisClient.create(redisUrl);
            lettuceConn = lettuce.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
            lettuceApp = app("lettuce", redisUrl);
            jedisApp = app("jedis", redisUrl);
            Stream<Order> lettuceOrders = lettuceApp.stream(STREAM, Order.class, Order::id, o -> o.partitionSize(partitionSize()));
            Stream<Order> jedisOrders = jedisApp.stream(STREAM, Order.class, Order::id, o -> o.partitionSize(partitionSize()));
            sendStream = lettuceApp.stream(SEND_STREAM, Order.class, Order::id, o -> o.partitionSize(partitionSize()));
            sendMaxlenStream = lettuceApp.stream(SEND_MAXLEN_STREAM, Order.class, Order::id,
                    o -> o.retention(Retention.Policy.MAXLEN).partitionSize(partitionSize()));
            lettuceApp.processor(lettuceOrders, "e2e-lettuce", this::countRecords);
            lettuceApp.processor(lettuceOrders, "e2e-lettuce-take100", events -> {
                long s = 0;
                for (List<Order> batch : events.take(100, Duration.ofMillis(50)).records()) {
                    for (Order o : batch) {
                        s += o.id();
                    }
                    counted.add(batch.size());
                }
                sink += s;
            });
            jedisApp.processor(jedisOrders, "e2e-jedis", this::countRecords);
            preload(lettuceOrders);
            RedisCommands<String, byte[]> admin = lettuceConn.sync();
            commands.add(command -> command[0].equals("CONFIG") ? admin.configResetstat() : admin.info(command[1]));
        }
        if (wanted.contains("runnel-lettuce-cluster") || wanted.contains("runnel-jedis-cluster")) {
            cluster = RedisCluster.start(3, 0);
            clusterApp = app("lettuce", cluster.url());
            clusterJedisApp = app("jedis", cluster.url());
            Stream<Order> clusterOrders = clusterApp.stream(STREAM, Order.class, Order::id, o -> o.partitionSize(partitionSize()));
            Stream<Order> clusterJedisOrders = clusterJedisApp.stream(STREAM, Order.class, Order::id,
                    o -> o.partitionSize(partitionSize()));
            clusterApp.processor(clusterOrders, "e2e-lettuce-cluster", this::countRecords);
            clusterJedisApp.processor(clusterJedisOrders, "e2e-jedis-cluster", this::countRecords);
            long t0 = System.nanoTime();
            Bench.sendSamples(clusterOrders, events, BATCH);
            System.out.printf("preloaded %,d events into the 3-master cluster %s in %d ms%n", events, cluster.url(),
                    (System.nanoTime() - t0) / 1_000_000);
            for (RedisCluster.Node node : cluster.nodes()) {
                commands.add(node::call);
            }
        }
        if (wanted.contains("runnel-memory")) {
            memoryApp = app("memory", MEMORY_URL);
            Stream<Order> memoryOrders = memoryApp.stream(STREAM, Order.class, Order::id, o -> o.partitionSize(partitionSize()));
            memoryApp.processor(memoryOrders, "e2e-memory", this::countRecords);
            // The memory store lives in this JVM: only this app's own stream can fill it.
            preloadMemory(memoryOrders);
        }

        if (warmupEvents > 0) {
            System.out.printf("warm-up round (%d events per row, not recorded)%n", warmupEvents);
            for (Row row : rows) {
                row.scenario.run(warmupEvents);
            }
        }
        for (int r = 1; r <= repeats; r++) {
            for (Row row : rows) {
                firstEventNanos = -1;
                commands.reset();
                long cpuBefore = Bench.processCpuNanos();
                long nanos = row.scenario.run(events);
                double cpuMicros = (Bench.processCpuNanos() - cpuBefore) / 1e3 / events;
                Map<String, Long> calls = commands.byCommand();
                double perEvent = (double) calls.values().stream().mapToLong(Long::longValue).sum() / events;
                row.commandsPerEvent.add(perEvent);
                double rate = events / (nanos / 1e9);
                row.rates.add(rate);
                row.cpuMicros.add(cpuMicros);
                System.out.printf("round %d/%d  %-24s %,12.0f events/s  %6.2f µs CPU/event  %5.3f commands/event  (%,d ms%s)%n",
                        r, repeats, row.name, rate, cpuMicros, perEvent, nanos / 1_000_000, firstEventNanos < 0 ? ""
                                : "; first event " + firstEventNanos / 1_000_000 + " ms after worker start");
                if (commandBreakdown) {
                    StringBuilder line = new StringBuilder("    commands/event by name:");
                    calls.forEach((name, n) -> line.append(String.format(" %s=%.4f", name, (double) n / events)));
                    System.out.println(line);
                }
            }
        }
        report(rows);
        for (App app : new App[] {lettuceApp, jedisApp, memoryApp, clusterApp, clusterJedisApp}) {
            if (app != null) {
                app.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        if (lettuce != null) {
            lettuceConn.close();
            lettuce.shutdown();
        }
    }

    /** The processor of the single-event rows: deserialize each record and count it. */
    private void countRecords(io.runnel.engine.Events<Order> events) {
        long s = 0;
        for (Order o : events.records()) {
            s += o.id();
            counted.increment();
        }
        sink += s;
    }

    private long partitionSize() {
        // Keep every preloaded event: MAXLEN ~ must exceed a partition's share of N.
        return Math.max(PARTITION_SIZE, 2L * events / PARTITIONS + 1000);
    }

    private static App app(String transport, String url) {
        return App.builder(APP)
                .environment(Map.of())
                .redisUrl(url)
                .setting("transport", transport)
                .setting("default_join_delay", 0)
                .build();
    }

    private void preload(Stream<Order> orders) {
        RedisCommands<String, byte[]> sync = lettuceConn.sync();
        sync.del(orderKeys.toArray(String[]::new));
        sync.del(sendKeys.toArray(String[]::new));
        long t0 = System.nanoTime();
        Bench.sendSamples(orders, events, BATCH);
        long total = 0;
        for (String key : orderKeys) {
            total += sync.xlen(key);
        }
        System.out.printf("preloaded %,d events (%d bytes of JSON each) into %d partitions in %d ms%n",
                total, json.serialize(type, Order.sample(events - 1)).length, PARTITIONS,
                (System.nanoTime() - t0) / 1_000_000);
        if (total != events) {
            throw new IllegalStateException("expected " + events + " events in the stream, found " + total);
        }
    }

    /** Fills the in-memory store through the memory app's stream (nothing outside this JVM can reach it). */
    private void preloadMemory(Stream<Order> orders) {
        long t0 = System.nanoTime();
        Bench.sendSamples(orders, events, BATCH);
        System.out.printf("preloaded %,d events into the in-memory store %s in %d ms%n", events, MEMORY_URL,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** One Runnel worker from start until {@code n} records were deserialized and counted. */
    private long runnel(App app, String processor, int n) throws Exception {
        app.resetProcessor(processor, "0");
        counted.reset();
        long t0 = System.nanoTime();
        Worker worker = app.worker(processor).start();
        long deadline = t0 + TimeUnit.MINUTES.toNanos(5);
        try {
            long c;
            while ((c = counted.sum()) < n) {
                if (c > 0 && firstEventNanos < 0) {
                    firstEventNanos = System.nanoTime() - t0;
                }
                if (worker.failure().isPresent()) {
                    throw new IllegalStateException("worker failed", worker.failure().get());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(processor + ": only " + counted.sum() + " of " + n + " events in 5 min");
                }
                Thread.sleep(0, 200_000);
            }
            return System.nanoTime() - t0;
        } finally {
            worker.stop();
            worker.awaitStopped(Duration.ofSeconds(30));
        }
    }

    private void resetRawGroup() {
        RedisCommands<String, byte[]> sync = lettuceConn.sync();
        for (String key : orderKeys) {
            sync.xgroupDestroy(key, RAW_GROUP);
            sync.xgroupCreate(XReadArgs.StreamOffset.from(key, "0"), RAW_GROUP);
        }
    }

    /** Multi-key XREADGROUP COUNT 100 over the 16 keys + pipelined XACKs per batch, deserializing each record. */
    private long rawLettuce(int n) {
        resetRawGroup();
        RedisCommands<String, byte[]> sync = lettuceConn.sync();
        RedisAsyncCommands<String, byte[]> async = lettuceConn.async();
        Consumer<String> consumer = Consumer.from(RAW_GROUP, "c1");
        @SuppressWarnings("unchecked")
        XReadArgs.StreamOffset<String>[] offsets = orderKeys.stream()
                .map(XReadArgs.StreamOffset::lastConsumed).toArray(XReadArgs.StreamOffset[]::new);
        XReadArgs count = XReadArgs.Builder.count(100);
        long t0 = System.nanoTime();
        long consumed = 0;
        long s = 0;
        while (consumed < n) {
            List<StreamMessage<String, byte[]>> messages = sync.xreadgroup(consumer, count, offsets);
            if (messages.isEmpty()) {
                throw new IllegalStateException("raw-lettuce: stream exhausted after " + consumed + " events");
            }
            Map<String, List<String>> idsByKey = new LinkedHashMap<>();
            for (StreamMessage<String, byte[]> m : messages) {
                s += json.deserialize(type, m.getBody().get("data")).id();
                idsByKey.computeIfAbsent(m.getStream(), k -> new ArrayList<>()).add(m.getId());
            }
            List<RedisFuture<Long>> acks = new ArrayList<>(idsByKey.size());
            idsByKey.forEach((key, ids) -> acks.add(async.xack(key, RAW_GROUP, ids.toArray(String[]::new))));
            LettuceFutures.awaitAll(Duration.ofSeconds(10), acks.toArray(RedisFuture[]::new));
            consumed += messages.size();
        }
        long nanos = System.nanoTime() - t0;
        sink += s;
        return nanos;
    }

    /** The same loop as {@link #rawLettuce} with Jedis (binary API, pipelined XACKs). */
    private long rawJedis(int n) {
        resetRawGroup();
        byte[] group = RAW_GROUP.getBytes(StandardCharsets.UTF_8);
        byte[] consumer = "c1".getBytes(StandardCharsets.UTF_8);
        byte[] data = "data".getBytes(StandardCharsets.UTF_8);
        Map<byte[], StreamEntryID> streams = new LinkedHashMap<>();
        for (String key : orderKeys) {
            streams.put(key.getBytes(StandardCharsets.UTF_8), StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
        }
        XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(100);
        try (Jedis jedis = new Jedis(URI.create(redisUrl))) {
            long t0 = System.nanoTime();
            long consumed = 0;
            long s = 0;
            while (consumed < n) {
                List<Map.Entry<byte[], List<StreamEntryBinary>>> reply = jedis.xreadGroupBinary(group, consumer, params, streams);
                if (reply == null || reply.isEmpty()) {
                    throw new IllegalStateException("raw-jedis: stream exhausted after " + consumed + " events");
                }
                Pipeline p = jedis.pipelined();
                for (Map.Entry<byte[], List<StreamEntryBinary>> perKey : reply) {
                    List<StreamEntryBinary> entries = perKey.getValue();
                    byte[][] ids = new byte[entries.size()][];
                    for (int i = 0; i < entries.size(); i++) {
                        StreamEntryBinary e = entries.get(i);
                        s += json.deserialize(type, field(e.getFields(), data)).id();
                        ids[i] = e.getID().toString().getBytes(StandardCharsets.US_ASCII);
                    }
                    consumed += entries.size();
                    if (ids.length > 0) {
                        p.xack(perKey.getKey(), group, ids);
                    }
                }
                p.sync();
            }
            long nanos = System.nanoTime() - t0;
            sink += s;
            return nanos;
        }
    }

    private static byte[] field(Map<byte[], byte[]> fields, byte[] name) {
        byte[] v = fields.get(name); // works when Jedis uses a content-keyed map
        if (v != null) {
            return v;
        }
        for (Map.Entry<byte[], byte[]> f : fields.entrySet()) {
            if (Arrays.equals(f.getKey(), name)) {
                return f.getValue();
            }
        }
        throw new IllegalStateException("no data field");
    }

    /** Pipelined XADD of the same fields ({@code data} = JSON) with MAXLEN ~, in batches of 1000. */
    private long rawSend(int n) {
        RedisCommands<String, byte[]> sync = lettuceConn.sync();
        sync.del(sendKeys.toArray(String[]::new));
        RedisAsyncCommands<String, byte[]> async = lettuceConn.async();
        XAddArgs args = new XAddArgs().maxlen(partitionSize()).approximateTrimming();
        long t0 = System.nanoTime();
        List<RedisFuture<String>> adds = new ArrayList<>(BATCH);
        for (int i = 0; i < n; i++) {
            Order o = Order.sample(i);
            adds.add(async.xadd(sendKeys.get((int) (o.id() % PARTITIONS)), args, Map.of("data", json.serialize(type, o))));
            if (adds.size() == BATCH || i == n - 1) {
                LettuceFutures.awaitAll(Duration.ofSeconds(10), adds.toArray(RedisFuture[]::new));
                adds.clear();
            }
        }
        return System.nanoTime() - t0;
    }

    /** {@code stream.sendAll} in batches of 1000. */
    private long runnelSend(Stream<Order> stream, List<String> keys, int n) {
        lettuceConn.sync().del(keys.toArray(String[]::new));
        long t0 = System.nanoTime();
        List<Order> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < n; i++) {
            batch.add(Order.sample(i));
            if (batch.size() == BATCH || i == n - 1) {
                stream.sendAll(batch);
                batch.clear();
            }
        }
        return System.nanoTime() - t0;
    }

    // ------------------------------------------------------------------ report

    private void report(List<Row> rows) throws Exception {
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Row row : rows) {
            medians.put(row.name, median(row.rates));
        }
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.println();
        System.out.printf("events=%,d repeats=%d  jdk=%s  cpus=%d  %s%n", events, repeats, jdk, cpus, Instant.now());
        System.out.printf("%-24s %14s %14s %14s %8s %10s %9s  %s%n", "name", "median ev/s", "min ev/s", "max ev/s", "ratio",
                "µs CPU/ev", "cmds/ev", "vs");
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        for (Row row : rows) {
            double med = medians.get(row.name);
            double min = row.rates.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = row.rates.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            Double ratio = row.baseline == null ? null : med / medians.get(row.baseline);
            double cpu = median(row.cpuMicros);
            double perEvent = median(row.commandsPerEvent);
            System.out.printf("%-24s %,14.0f %,14.0f %,14.0f %8s %10.2f %9.3f  %s%n", row.name, med, min, max,
                    ratio == null ? "-" : "%.2f".formatted(ratio), cpu, perEvent, row.baseline == null ? "" : row.baseline);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", row.name);
            m.put("median", Math.round(med));
            m.put("min", Math.round(min));
            m.put("max", Math.round(max));
            m.put("baseline", row.baseline);
            m.put("ratio", ratio == null ? null : Math.round(ratio * 1000) / 1000.0);
            m.put("samples", row.rates.stream().map(Math::round).toList());
            m.put("cpuMicrosPerEvent", Math.round(cpu * 100) / 100.0);
            m.put("commandsPerEvent", Math.round(perEvent * 1000) / 1000.0);
            jsonRows.add(m);
        }
        Map<String, Object> doc = Bench.machine();
        doc.put("events", events);
        doc.put("repeats", repeats);
        doc.put("warmupEvents", warmupEvents);
        doc.put("unit", "events/s");
        doc.put("rows", jsonRows);
        Bench.writeJson(out, doc);
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
