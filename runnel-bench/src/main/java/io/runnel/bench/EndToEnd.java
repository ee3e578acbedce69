// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.runnel.api.RecordType;
import io.runnel.engine.App;
import io.runnel.engine.Retention;
import io.runnel.engine.Stream;
import io.runnel.engine.StreamOptions;
import io.runnel.engine.Worker;
import io.runnel.testkit.RedisCluster;
import io.runnel.serde.json.JsonSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * End-to-end throughput harness: Runnel consumers and producers against raw Lettuce/Jedis
 * loops doing the same Redis work, alternated round by round and repeated in one run.
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.EndToEnd [--events N] [--repeats R] [--warmup-events W] [--warmup-seconds S] [--warmup-max-seconds S] [--min-round-seconds S] [--rows a,b] [--redis-url URL] [--out FILE] [--commands-by-name true]</pre>
 *
 * <p>The raw rows run in child JVMs of their own ({@link RawRowChild}), one per row, kept for
 * the whole run; the Runnel rows run in this JVM. A round of a row processes at least N
 * events and lasts at least S seconds. The {@code runnel-memory} row runs the same processor
 * on the in-memory transport: no Redis, no network, so it shows what the engine itself costs
 * per event. It has no raw baseline.
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
            "runnel-jedis", "raw-send-lettuce", "raw-send-lettuce-encoding", "raw-send-lettuce-encoding-sync",
            "send-lettuce", "send-lettuce-maxlen", "runnel-memory",
            "runnel-lettuce-cluster", "runnel-jedis-cluster");
    /**
     * Preload after a warm-up round: the fastest rate on the stream × a measured round's minimum
     * length × this. A warm-up round runs while the JIT still compiles, so its rate under-states.
     */
    static final double WARMUP_MARGIN = 2;
    /** Preload before a round: the fastest rate measured on the stream so far × the round's minimum length × this. */
    static final double ROUND_MARGIN = 1.5;
    /**
     * A row is warm once its JVM's JIT compiled for less than this share of one core during
     * its last warm-up round: a fresh JVM's C2 took ~10 s of a raw loop to get there on a 2-core
     * machine (CPU per event 34 → 15 → 7.6 → 5.0 µs over 2 s rounds), far longer than a fixed
     * warm-up round.
     */
    static final double JIT_QUIET_SHARE = 0.05;
    /** Tries of a round that ran out of preloaded events before its minimum length (topping up between). */
    static final int ATTEMPTS = 3;
    private static final String USAGE = "usage: EndToEnd [--events N] [--repeats R] [--min-round-seconds S] "
            + "[--warmup-events W] [--warmup-seconds S] [--warmup-max-seconds S] [--rows a,b,...] [--redis-url URL] "
            + "[--out FILE] [--commands-by-name true]\n  rows: " + String.join(",", ROWS);

    static volatile long sink;

    private final int events;
    private final int repeats;
    private final int warmupEvents;
    private final double warmupSeconds;
    private final double warmupMaxSeconds;
    private final double minRoundSeconds;
    private final String redisUrl;
    private final Path out;
    private final List<String> rowFilter;
    private final boolean commandBreakdown;

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
    /** See {@link #sendRecords()}. */
    private List<Order> sendRecords;
    private Stream<Order> sendMaxlenStream;
    /** The consumer rows' streams: on the single Redis, on the cluster, in memory. */
    private Stream<Order> lettuceOrders;
    private Stream<Order> clusterOrders;
    private Stream<Order> memoryOrders;
    private final Source orders = new Source("orders", this::fillOrders);
    private final Source clusterSource = new Source("the cluster's orders",
            (from, to) -> Bench.sendSamples(clusterOrders, from, to, BATCH));
    /** The in-memory store lives in this JVM: only this app's own stream can fill it. */
    private final Source memorySource = new Source("the in-memory store " + MEMORY_URL,
            (from, to) -> Bench.sendSamples(memoryOrders, from, to, BATCH));
    private RedisClient lettuce;
    private StatefulRedisConnection<String, byte[]> lettuceConn;
    /** The raw rows' child JVMs, by row name. */
    private final Map<String, RawRowChild.Driver> children = new LinkedHashMap<>();

    /** The command line; see the README for what each option does. */
    record Options(int events, int repeats, double minRoundSeconds, int warmupEvents, double warmupSeconds,
                   double warmupMaxSeconds, List<String> rows, Path out, boolean commandBreakdown) {
        static Options parse(Cli cli) {
            int events = cli.integer("events", 200_000);
            int repeats = cli.integer("repeats", 3);
            double minRoundSeconds = Double.parseDouble(cli.string("min-round-seconds", "2"));
            int warmupEvents = cli.integer("warmup-events", Math.min(events, 20_000));
            double warmupSeconds = Double.parseDouble(cli.string("warmup-seconds", String.valueOf(minRoundSeconds)));
            double warmupMaxSeconds = Double.parseDouble(cli.string("warmup-max-seconds", "30"));
            List<String> rows = cli.list("rows", String.join(",", ROWS));
            Path out = Path.of(cli.string("out", Bench.defaultOut("throughput").toString()));
            boolean breakdown = Boolean.parseBoolean(cli.string("commands-by-name", "false"));
            for (String r : rows) {
                if (!ROWS.contains(r)) {
                    throw new IllegalArgumentException("unknown row " + r + "\n" + USAGE);
                }
            }
            return new Options(events, repeats, minRoundSeconds, warmupEvents, warmupSeconds, warmupMaxSeconds, rows,
                    out, breakdown);
        }
    }

    private EndToEnd(Options o, String redisUrl) {
        this.events = o.events();
        this.repeats = o.repeats();
        this.minRoundSeconds = o.minRoundSeconds();
        this.warmupEvents = o.warmupEvents();
        this.warmupSeconds = o.warmupSeconds();
        this.warmupMaxSeconds = o.warmupMaxSeconds();
        this.rowFilter = o.rows();
        this.out = o.out();
        this.commandBreakdown = o.commandBreakdown();
        this.redisUrl = redisUrl;
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
        Options options = Options.parse(cli);
        String url = cli.string("redis-url", null);
        cli.rejectUnknown();
        // The in-memory row alone needs no Redis at all.
        boolean needsRedis = options.rows().stream().anyMatch(r -> !r.equals("runnel-memory"));
        try (Bench.Redis redis = needsRedis ? Bench.Redis.startOrUse(url) : null) {
            new EndToEnd(options, redis == null ? null : redis.url()).run();
        }
        System.exit(0);
    }

    // ---------------------------------------------------------------- scenarios

    /**
     * What a row's round measured: the events it processed, how long its clock ran, the CPU
     * time, the bytes allocated (all threads) and the JIT compilation time of the JVM that ran it
     * while the clock ran, and whether
     * it stopped because the preloaded events ran out before its minimum length (then the round
     * is run again).
     */
    record Measured(long events, long nanos, long cpuNanos, long allocatedBytes, long jitMillis, boolean exhausted) {
        double rate() {
            return events / (nanos / 1e9);
        }
    }

    /** A round's clock: wall time, this JVM's CPU time, allocated bytes and JIT compilation time, from {@link #start()}. */
    record Clock(long t0, long cpu0, long allocated0, long jit0) {
        static Clock start() {
            return new Clock(System.nanoTime(), Bench.processCpuNanos(), Bench.allocatedBytes(), Bench.jitMillis());
        }

        long elapsed() {
            return System.nanoTime() - t0;
        }

        /** Whether a round that has processed {@code done} events must go on. */
        boolean more(long done, int minEvents, long minNanos) {
            return done < minEvents || elapsed() < minNanos;
        }

        Measured stop(long events, boolean exhausted) {
            long nanos = elapsed();
            return new Measured(events, nanos, Bench.processCpuNanos() - cpu0, Bench.allocatedBytes() - allocated0,
                    Bench.jitMillis() - jit0, exhausted);
        }
    }

    interface Scenario {
        /** Runs once over at least {@code minEvents} events for at least {@code minNanos}. */
        Measured run(int minEvents, long minNanos) throws Exception;
    }

    /**
     * The events the consumer rows on one stream re-read every round (each resets its group to
     * 0): preloaded once, topped up when a round would run out of them before its minimum length.
     */
    static final class Source {
        interface Filler {
            /** Appends {@code Order.sample(from .. to-1)}. */
            void fill(long from, long to) throws Exception;
        }

        private final String name;
        private final Filler filler;
        private long preloaded;
        /** The fastest round of any row on this source so far, events/s. */
        private double fastest;

        Source(String name, Filler filler) {
            this.name = name;
            this.filler = filler;
        }

        long preloaded() {
            return preloaded;
        }

        /** Preloads up to {@code n} events (untimed), if it holds fewer. */
        void ensure(long n) throws Exception {
            if (n <= preloaded) {
                return;
            }
            long t0 = System.nanoTime();
            filler.fill(preloaded, n);
            System.out.printf("preloaded %s: %,d → %,d events in %d ms%n", name, preloaded, n, (System.nanoTime() - t0) / 1_000_000);
            preloaded = n;
        }

        /** Records a round's rate; preloads enough for the fastest rate seen to last {@code seconds} with margin. */
        void observe(double rate, double seconds, double margin) throws Exception {
            fastest = Math.max(fastest, rate);
            ensure((long) Math.ceil(fastest * seconds * margin));
        }
    }

    /**
     * One measured round of a row. {@code entriesPerRead} and {@code xacksPer1000} are for
     * consumer rows on Redis only (else null): events ÷ XREADGROUP calls, XACK calls × 1000 ÷
     * events, counted by Redis (calls made by scripts included).
     */
    record Round(long events, double seconds, double rate, double cpuMicros, double bytesPerEvent, long jitMillis,
                 double commandsPerEvent, Double entriesPerRead, Double xacksPer1000) {
    }

    /** A row's rounds; {@code source} is the stream a consumer row reads (null for producers). */
    record Row(String name, String baseline, Scenario scenario, Source source, boolean child, List<Round> rounds) {
        Row(String name, String baseline, Scenario scenario, Source source, boolean child) {
            this(name, baseline, scenario, source, child, new ArrayList<>());
        }
    }

    private void run() throws Exception {
        try {
            measure();
        } finally {
            for (RawRowChild.Driver child : children.values()) {
                child.close();
            }
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
    }

    private void measure() throws Exception {
        List<Row> all = rows();
        // A Runnel row without its raw row would have no ratio: bring the baseline along, and
        // its own (a cluster row's baseline is a Runnel row).
        Set<String> wanted = new LinkedHashSet<>(rowFilter);
        for (boolean added = true; added; ) {
            added = false;
            for (Row row : all) {
                if (wanted.contains(row.name) && row.baseline != null) {
                    added |= wanted.add(row.baseline);
                }
            }
        }
        List<Row> rows = all.stream().filter(r -> wanted.contains(r.name)).toList();
        if (wanted.stream().anyMatch(r -> !r.equals("runnel-memory"))) {
            setUpRedis();
            orders.ensure(Math.max(events, warmupEvents));
        }
        if (wanted.contains("runnel-lettuce-cluster") || wanted.contains("runnel-jedis-cluster")) {
            setUpCluster();
            clusterSource.ensure(Math.max(events, warmupEvents));
        }
        if (wanted.contains("runnel-memory")) {
            setUpMemory();
            memorySource.ensure(Math.max(events, warmupEvents));
        }
        for (String raw : RawRowChild.ROWS) {
            if (wanted.contains(raw)) {
                RawRowChild.Driver child = RawRowChild.Driver.start(raw, redisUrl, partitionSize(), events);
                children.put(raw, child);
                System.out.printf("%s runs in child JVM %d%n", raw, child.pid());
            }
        }

        if (warmupEvents > 0 || warmupSeconds > 0) {
            warmUp(rows);
        }
        long minNanos = Math.round(minRoundSeconds * 1e9);
        for (int r = 1; r <= repeats; r++) {
            for (Row row : rows) {
                Round round = round(row, events, minNanos, true);
                row.rounds.add(round);
                System.out.printf("round %d/%d  %-24s %,12.0f events/s  %6.2f µs CPU/event  %5.3f commands/event  "
                                + "%s entries/XREADGROUP  %s XACK/1000 events  (%,d events in %,d ms, JIT %,d ms%s)%n", r,
                        repeats, row.name, round.rate, round.cpuMicros, round.commandsPerEvent,
                        format(round.entriesPerRead, "%.0f"), format(round.xacksPer1000, "%.2f"), round.events,
                        Math.round(round.seconds * 1000), round.jitMillis,
                        firstEventNanos < 0 ? "" : "; first event " + firstEventNanos / 1_000_000 + " ms after worker start");
            }
        }
        report(rows);
    }

    /**
     * Warms every row up the same way, each in the JVM that runs it: warm-up rounds of the row
     * (at least W events and the warm-up seconds each, not recorded) until its JVM's JIT has gone
     * quiet ({@link #JIT_QUIET_SHARE}) or the warm-up maximum has passed. A fixed warm-up is not
     * the same warm-up for all rows: the Runnel rows share one JVM whose code the preload and
     * every other row have warmed too, while a raw row's fresh JVM has only its own rounds.
     */
    private void warmUp(List<Row> rows) throws Exception {
        System.out.printf("warm-up (rounds of at least %,d events and %s s, until the JIT is quiet or %s s, not recorded)%n",
                warmupEvents, warmupSeconds, warmupMaxSeconds);
        long minNanos = Math.round(warmupSeconds * 1e9);
        for (Row row : rows) {
            long start = System.nanoTime();
            List<Round> rounds = new ArrayList<>();
            do {
                rounds.add(round(row, warmupEvents, minNanos, false));
            } while (!jitQuiet(rounds.getLast()) && System.nanoTime() - start < warmupMaxSeconds * 1e9);
            System.out.printf("warm-up %-24s %d round(s) in %.1f s; JIT %,d ms in the first, %,d ms in the last (%s)%n",
                    row.name, rounds.size(), (System.nanoTime() - start) / 1e9, rounds.getFirst().jitMillis(),
                    rounds.getLast().jitMillis(), jitQuiet(rounds.getLast()) ? "quiet" : "not quiet yet");
        }
    }

    private static boolean jitQuiet(Round round) {
        return round.jitMillis() < JIT_QUIET_SHARE * round.seconds() * 1000;
    }

    /** Every row there is; the raw rows' scenarios are their child JVMs. */
    private List<Row> rows() {
        return List.of(
                new Row("raw-lettuce", null, child("raw-lettuce"), orders, true),
                new Row("runnel-lettuce", "raw-lettuce", (n, t) -> runnel(lettuceApp, "e2e-lettuce", orders, n, t), orders, false),
                new Row("runnel-lettuce-take100", "raw-lettuce",
                        (n, t) -> runnel(lettuceApp, "e2e-lettuce-take100", orders, n, t), orders, false),
                new Row("raw-jedis", null, child("raw-jedis"), orders, true),
                new Row("runnel-jedis", "raw-jedis", (n, t) -> runnel(jedisApp, "e2e-jedis", orders, n, t), orders, false),
                new Row("raw-send-lettuce", null, child("raw-send-lettuce"), null, true),
                new Row("raw-send-lettuce-encoding", null, child("raw-send-lettuce-encoding"), null, true),
                new Row("raw-send-lettuce-encoding-sync", null, child("raw-send-lettuce-encoding-sync"), null, true),
                new Row("send-lettuce", "raw-send-lettuce", (n, t) -> runnelSend(sendStream, sendKeys, n, t), null, false),
                new Row("send-lettuce-maxlen", "raw-send-lettuce",
                        (n, t) -> runnelSend(sendMaxlenStream, sendMaxlenKeys, n, t), null, false),
                new Row("runnel-memory", null, (n, t) -> runnel(memoryApp, "e2e-memory", memorySource, n, t), memorySource, false),
                // Same stream and processor on a 3-master cluster on this machine; compared with
                // runnel-lettuce, above all for Redis commands per event (issue 13).
                new Row("runnel-lettuce-cluster", "runnel-lettuce",
                        (n, t) -> runnel(clusterApp, "e2e-lettuce-cluster", clusterSource, n, t), clusterSource, false),
                new Row("runnel-jedis-cluster", "runnel-jedis",
                        (n, t) -> runnel(clusterJedisApp, "e2e-jedis-cluster", clusterSource, n, t), clusterSource, false));
    }

    private Scenario child(String row) {
        return (n, t) -> children.get(row).round(n, t);
    }

    /**
     * One round of {@code row}, Redis's commands counted around it. A consumer round that ran
     * out of preloaded events before its minimum length is thrown away and run again after a
     * top-up; after every round the stream is topped up so that the fastest rate seen, × a
     * measured round's minimum length × a margin, fits.
     */
    private Round round(Row row, int minEvents, long minNanos, boolean measured) throws Exception {
        for (int attempt = 1; ; attempt++) {
            firstEventNanos = -1;
            commands.reset();
            Measured m = row.scenario.run(minEvents, minNanos);
            Map<String, Long> calls = commands.byCommand();
            if (row.source != null) {
                row.source.observe(m.rate(), minRoundSeconds, measured ? ROUND_MARGIN : WARMUP_MARGIN);
            }
            if (m.exhausted()) {
                if (attempt == ATTEMPTS) {
                    throw new IllegalStateException(row.name + ": ran out of preloaded events " + ATTEMPTS + " times");
                }
                row.source.ensure(2 * row.source.preloaded());
                System.out.printf("%s ran out of events after %,d ms; running the round again%n", row.name,
                        m.nanos() / 1_000_000);
                continue;
            }
            if (commandBreakdown && measured) {
                StringBuilder line = new StringBuilder("    commands/event by name:");
                calls.forEach((name, n) -> line.append(String.format(" %s=%.4f", name, (double) n / m.events())));
                System.out.println(line);
            }
            return round(row, m, calls);
        }
    }

    private static Round round(Row row, Measured m, Map<String, Long> calls) {
        long total = calls.values().stream().mapToLong(Long::longValue).sum();
        long reads = calls.getOrDefault("xreadgroup", 0L);
        long acks = calls.getOrDefault("xack", 0L);
        boolean consumerOnRedis = row.source != null && reads > 0;
        return new Round(m.events(), m.nanos() / 1e9, m.rate(), m.cpuNanos() / 1e3 / m.events(),
                (double) m.allocatedBytes() / m.events(), m.jitMillis(),
                (double) total / m.events(), consumerOnRedis ? (double) m.events() / reads : null,
                consumerOnRedis ? acks * 1000.0 / m.events() : null);
    }

    /** Connects to Redis, defines the apps, streams and processors. */
    private void setUpRedis() {
        lettuce = RedisClient.create(redisUrl);
        lettuceConn = lettuce.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        lettuceApp = app("lettuce", redisUrl);
        jedisApp = app("jedis", redisUrl);
        lettuceOrders = lettuceApp.stream(STREAM, Order.class, Order::id, this::ordersOptions);
        Stream<Order> jedisOrders = jedisApp.stream(STREAM, Order.class, Order::id, this::ordersOptions);
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
        RedisCommands<String, byte[]> admin = lettuceConn.sync();
        commands.add(command -> command[0].equals("CONFIG") ? admin.configResetstat() : admin.info(command[1]));
        admin.del(orderKeys.toArray(String[]::new));
        admin.del(sendKeys.toArray(String[]::new));
        System.out.printf("%d bytes of JSON per event%n", json.serialize(type, Order.sample(events - 1)).length);
    }

    /** Appends {@code Order.sample(from .. to-1)} to the orders stream and checks that it holds them all. */
    private void fillOrders(long from, long to) {
        Bench.sendSamples(lettuceOrders, from, to, BATCH);
        long total = 0;
        for (String key : orderKeys) {
            total += lettuceConn.sync().xlen(key);
        }
        if (total != to) {
            throw new IllegalStateException("expected " + to + " events in the stream, found " + total);
        }
    }

    private void setUpCluster() {
        cluster = RedisCluster.start(3, 0);
        clusterApp = app("lettuce", cluster.url());
        clusterJedisApp = app("jedis", cluster.url());
        clusterOrders = clusterApp.stream(STREAM, Order.class, Order::id, this::ordersOptions);
        Stream<Order> clusterJedisOrders = clusterJedisApp.stream(STREAM, Order.class, Order::id, this::ordersOptions);
        clusterApp.processor(clusterOrders, "e2e-lettuce-cluster", this::countRecords);
        clusterJedisApp.processor(clusterJedisOrders, "e2e-jedis-cluster", this::countRecords);
        for (RedisCluster.Node node : cluster.nodes()) {
            commands.add(node::call);
        }
        System.out.println("3-master cluster at " + cluster.url());
    }

    private void setUpMemory() {
        memoryApp = app("memory", MEMORY_URL);
        memoryOrders = memoryApp.stream(STREAM, Order.class, Order::id, this::ordersOptions);
        memoryApp.processor(memoryOrders, "e2e-memory", this::countRecords);
    }

    /**
     * The consumer rows' stream: every row re-reads the same preloaded events, so no retention
     * pass may trim them (the acked retention would trim what every group has acked as soon as
     * a worker ran longer than one interval).
     */
    private void ordersOptions(StreamOptions<Order> o) {
        o.partitionSize(partitionSize()).retentionInterval(Duration.ofDays(1));
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

    /**
     * The streams' partition size: the {@code MAXLEN ~} of the maxlen sends ({@code raw-send-lettuce},
     * {@code send-lettuce-maxlen}), raised above the default when a partition's share of N would
     * exceed it. The consumer rows' stream is under the acked retention, whose sends do not trim.
     */
    private long partitionSize() {
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

    /**
     * One Runnel worker from start until it has deserialized and counted at least {@code minEvents}
     * records and at least {@code minNanos} have passed, or until it has counted every event
     * {@code source} holds (then the round is exhausted). The group is reset to 0 first and the
     * worker stopped after (both untimed).
     */
    private Measured runnel(App app, String processor, Source source, int minEvents, long minNanos) throws Exception {
        app.resetProcessor(processor, "0");
        counted.reset();
        long available = source.preloaded();
        Clock clock = Clock.start();
        Worker worker = app.worker(processor).start();
        long deadline = minNanos + TimeUnit.MINUTES.toNanos(5);
        try {
            while (true) {
                long c = counted.sum();
                if (!clock.more(c, minEvents, minNanos) || c >= available) {
                    return clock.stop(c, clock.more(c, minEvents, minNanos));
                }
                long elapsed = clock.elapsed();
                if (c > 0 && firstEventNanos < 0) {
                    firstEventNanos = elapsed;
                }
                if (worker.failure().isPresent()) {
                    throw new IllegalStateException("worker failed", worker.failure().get());
                }
                if (elapsed > deadline) {
                    throw new IllegalStateException(processor + ": only " + c + " of " + minEvents + " events in "
                            + TimeUnit.NANOSECONDS.toSeconds(elapsed) + " s");
                }
                Thread.sleep(0, 200_000);
            }
        } finally {
            worker.stop();
            worker.awaitStopped(Duration.ofSeconds(30));
        }
    }

    /**
     * {@code stream.sendAll} in batches of 1000 until at least {@code minEvents} are sent and
     * {@code minNanos} have passed; past N the records repeat, as in {@code raw-send-lettuce}.
     * The stream's keys are deleted first (untimed).
     */
    private Measured runnelSend(Stream<Order> stream, List<String> keys, int minEvents, long minNanos) {
        lettuceConn.sync().del(keys.toArray(String[]::new));
        List<Order> records = sendRecords();
        Clock clock = Clock.start();
        long sent = 0;
        while (clock.more(sent, minEvents, minNanos)) {
            int from = (int) (sent % records.size());
            stream.sendAll(records.subList(from, Math.min(from + BATCH, records.size())));
            sent += Math.min(BATCH, records.size() - from);
        }
        return clock.stop(sent, false);
    }

    /**
     * The send rows' records, built once before any clock runs: making them is the caller's
     * work, not the producer's (the raw send row likewise serializes before its clock).
     */
    private List<Order> sendRecords() {
        if (sendRecords == null) {
            List<Order> records = new ArrayList<>(events);
            for (int i = 0; i < events; i++) {
                records.add(Order.sample(i));
            }
            sendRecords = List.copyOf(records);
        }
        return sendRecords;
    }

    // ------------------------------------------------------------------ report

    private void report(List<Row> rows) {
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Row row : rows) {
            medians.put(row.name, median(row.rounds, Round::rate));
        }
        String jdk = System.getProperty("java.vm.name") + " " + Runtime.version();
        int cpus = Runtime.getRuntime().availableProcessors();
        System.out.println();
        System.out.printf("events=%,d (at least, per round) min-round-seconds=%s repeats=%d  jdk=%s  cpus=%d  %s%n", events,
                minRoundSeconds, repeats, jdk, cpus, Instant.now());
        System.out.printf("raw rows: each in a fresh JVM of its own (%s)%n", String.join(", ", children.keySet()));
        System.out.printf("%-24s %12s %12s %12s %7s %6s %9s %7s %8s %8s %9s %6s  %s%n", "name", "median ev/s", "min ev/s",
                "max ev/s", "spread", "ratio", "µs CPU/ev", "B/ev", "cmds/ev", "ev/XRG", "XACK/1k", "s/rnd", "vs");
        List<Map<String, Object>> jsonRows = new ArrayList<>();
        for (Row row : rows) {
            double med = medians.get(row.name);
            double min = row.rounds.stream().mapToDouble(Round::rate).min().orElse(0);
            double max = row.rounds.stream().mapToDouble(Round::rate).max().orElse(0);
            double spread = med == 0 ? 0 : (max - min) / med;
            Double ratio = row.baseline == null ? null : med / medians.get(row.baseline);
            double cpu = median(row.rounds, Round::cpuMicros);
            double bytes = median(row.rounds, Round::bytesPerEvent);
            double perEvent = median(row.rounds, Round::commandsPerEvent);
            Double perRead = row.rounds.get(0).entriesPerRead() == null ? null : median(row.rounds, Round::entriesPerRead);
            Double acks = row.rounds.get(0).xacksPer1000() == null ? null : median(row.rounds, Round::xacksPer1000);
            double seconds = median(row.rounds, Round::seconds);
            System.out.printf("%-24s %,12.0f %,12.0f %,12.0f %6.1f%% %6s %9.2f %,7.0f %8.3f %8s %9s %6.1f  %s%n", row.name, med,
                    min, max, spread * 100, format(ratio, "%.2f"), cpu, bytes, perEvent, format(perRead, "%,.0f"), format(acks, "%.2f"),
                    seconds, row.baseline == null ? "" : row.baseline);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", row.name);
            m.put("median", Math.round(med));
            m.put("min", Math.round(min));
            m.put("max", Math.round(max));
            m.put("spread", round(spread, 3));
            m.put("baseline", row.baseline);
            m.put("ratio", ratio == null ? null : round(ratio, 3));
            m.put("samples", row.rounds.stream().map(r -> Math.round(r.rate())).toList());
            m.put("eventsPerRound", row.rounds.stream().map(Round::events).toList());
            m.put("secondsPerRound", round(seconds, 2));
            m.put("freshJvm", row.child);
            m.put("cpuMicrosPerEvent", round(cpu, 2));
            m.put("allocatedBytesPerEvent", Math.round(bytes));
            m.put("jitMillisPerRound", row.rounds.stream().map(Round::jitMillis).toList());
            m.put("commandsPerEvent", round(perEvent, 3));
            m.put("entriesPerXreadgroup", perRead == null ? null : round(perRead, 1));
            m.put("xacksPer1000Events", acks == null ? null : round(acks, 2));
            jsonRows.add(m);
        }
        Map<String, Object> doc = Bench.machine();
        doc.put("events", events);
        doc.put("minRoundSeconds", minRoundSeconds);
        doc.put("repeats", repeats);
        doc.put("warmupEvents", warmupEvents);
        doc.put("warmupSeconds", warmupSeconds);
        doc.put("warmupMaxSeconds", warmupMaxSeconds);
        doc.put("warmupUntilJitQuietShare", JIT_QUIET_SHARE);
        doc.put("rawRowsInFreshJvms", true);
        Map<String, Long> preloaded = new LinkedHashMap<>();
        for (Source source : List.of(orders, clusterSource, memorySource)) {
            if (source.preloaded() > 0) {
                preloaded.put(source.name, source.preloaded());
            }
        }
        doc.put("preloaded", preloaded);
        doc.put("unit", "events/s");
        doc.put("rows", jsonRows);
        Bench.writeJson(out, doc);
    }

    private static String format(Double value, String format) {
        return value == null ? "-" : format.formatted(value);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }

    private static double median(List<Round> rounds, java.util.function.ToDoubleFunction<Round> field) {
        return median(rounds.stream().map(field::applyAsDouble).toList());
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (v.length == 0) {
            return 0;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
