package io.runnel.bench;

import io.runnel.api.Event;
import io.runnel.api.RecordType;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.serde.json.JsonSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * End-to-end latency at a fixed offered load: a producer thread sends {@code --rate}
 * events/s with {@code Stream.sendAll} in small batches every {@code --tick}, while one Runnel
 * worker in the same JVM consumes them; the processor deserializes every record and records
 * its latency. Each transport in {@code --transport} runs in turn.
 *
 * <p>Two latencies are recorded per event, in microseconds:
 * <ul>
 *   <li><b>id latency</b> (the definition): wall-clock time at receipt minus the
 *       millisecond in the event's stream id ({@code <ms>-<seq>}, assigned by Redis when it
 *       appended the event). The id is truncated to the millisecond, so this over-states the
 *       true value by 0–1 ms (0.5 ms on average); sub-millisecond values are coarse.
 *   <li><b>send latency</b>: receipt minus the record's {@code at}, the producer's wall clock
 *       (microsecond resolution) just before {@code sendAll}. It adds the producer's own round
 *       trip but has no truncation.
 * </ul>
 * Both clocks are this machine's (Redis runs locally), so there is no clock skew to correct.
 */
public final class Latency {
    static final String USAGE = "usage: Latency [--rate EVENTS_PER_S] [--seconds S] [--warmup-seconds S] "
            + "[--warmup-max-seconds S] [--transport lettuce,jedis,memory] [--tick 1ms] [--redis-url URL] [--out FILE]";
    private static final String PROCESSOR = "latency";

    static volatile long sink;

    /** One transport's measurement. */
    record Result(String transport, int offeredRate, double achievedRate, long measuredEvents, long sentTotal,
                  double longestSendMs, Percentiles idLatency, Percentiles sendLatency,
                  double warmupSeconds, double warmupLongestSendMs, Percentiles warmupIdLatency,
                  long jitMillisDuringWarmup, long jitMillisDuringMeasurement) {
    }

    /** Percentiles in milliseconds (with µs precision). */
    record Percentiles(double p50, double p90, double p99, double p999, double max, double min) {
        static Percentiles of(LatencyHistogram h) {
            return new Percentiles(ms(h.percentile(50)), ms(h.percentile(90)), ms(h.percentile(99)),
                    ms(h.percentile(99.9)), ms(h.max()), ms(h.min()));
        }

        private static double ms(long micros) {
            return micros / 1000.0;
        }
    }

    private final int rate;
    private final Duration measure;
    private final Duration warmup;
    private final Duration warmupMax;
    private final Duration tick;
    private final String redisUrl;

    private Latency(int rate, Duration measure, Duration warmup, Duration warmupMax, Duration tick, String redisUrl) {
        this.rate = rate;
        this.measure = measure;
        this.warmup = warmup;
        this.warmupMax = warmupMax;
        this.tick = tick;
        this.redisUrl = redisUrl;
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int rate = cli.integer("rate", 20_000);
        Duration seconds = Duration.ofSeconds(cli.integer("seconds", 30));
        Duration warmup = Duration.ofSeconds(cli.integer("warmup-seconds", 5));
        Duration warmupMax = Duration.ofSeconds(cli.integer("warmup-max-seconds", 120));
        Duration tick = cli.duration("tick", Duration.ofMillis(1));
        List<String> transports = cli.list("transport", "lettuce,jedis");
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("latency").toString()));
        cli.rejectUnknown();

        List<Result> results = new ArrayList<>();
        try (Bench.Redis redis = Bench.Redis.startOrUse(url)) {
            Latency latency = new Latency(rate, seconds, warmup, warmupMax, tick, redis.url());
            for (String transport : transports) {
                results.add(latency.run(transport));
            }
        }
        System.out.println();
        System.out.printf("offered %,d events/s for %d s (after a warm-up of at least %d s, until the JIT was quiet), "
                + "sendAll every %d ms%n", rate, seconds.toSeconds(), warmup.toSeconds(), tick.toMillis());
        System.out.printf("%-9s %-10s %12s %9s %9s %9s %9s %9s%n", "transport", "kind", "achieved/s", "p50 ms", "p90 ms",
                "p99 ms", "p999 ms", "max ms");
        for (Result r : results) {
            print(r, "id", r.idLatency());
            print(r, "send", r.sendLatency());
            print(r, "id-warm-up", r.warmupIdLatency());
        }
        Map<String, Object> doc = Bench.machine();
        doc.put("offeredRate", rate);
        doc.put("seconds", seconds.toSeconds());
        doc.put("warmupSeconds", warmup.toSeconds());
        doc.put("warmupMaxSeconds", warmupMax.toSeconds());
        doc.put("jitQuietShare", JitWarmup.QUIET_SHARE);
        doc.put("jitQuietWindowSeconds", JitWarmup.WINDOW.toSeconds());
        doc.put("tickMillis", tick.toMillis());
        doc.put("unit", "ms");
        doc.put("results", results);
        Bench.writeJson(out, doc);
        System.exit(0);
    }

    private static void print(Result r, String kind, Percentiles p) {
        System.out.printf("%-9s %-10s %,12.0f %9.3f %9.3f %9.3f %9.3f %9.3f%n", r.transport(), kind, r.achievedRate(),
                p.p50(), p.p90(), p.p99(), p.p999(), p.max());
    }

    private Result run(String transport) throws Exception {
        JsonSerializer json = new JsonSerializer();
        RecordType<Order> type = RecordType.of(Order.class);
        LatencyHistogram byId = new LatencyHistogram();
        LatencyHistogram bySend = new LatencyHistogram();
        LatencyHistogram warmingById = new LatencyHistogram();
        LongAdder received = new LongAdder();
        // Events received during the warm-up go to their own histogram, reported apart.
        AtomicBoolean recording = new AtomicBoolean();

        try (App app = App.builder("latency-" + transport)
                .environment(Map.of())
                // "memory" measures the engine alone: the in-process store instead of Redis.
                .redisUrl(transport.equals("memory") ? "memory://latency" : redisUrl)
                .setting("transport", transport)
                .setting("default_join_delay", 0)
                .build()) {
            Stream<Order> ticks = app.stream("ticks", Order.class, Order::id);
            app.processor(ticks, PROCESSOR, events -> {
                long s = 0;
                for (Event e : events.events()) {
                    long now = wallMicros(Instant.now());
                    Order o = json.deserialize(type, e.field("data")); // the per-record cost a real processor pays
                    s += o.id();
                    if (recording.get()) {
                        byId.record(now - idMillis(e.id()) * 1000);
                        bySend.record(now - wallMicros(o.at()));
                    } else {
                        warmingById.record(now - idMillis(e.id()) * 1000);
                    }
                    received.increment();
                }
                sink += s;
            });
            // Start after whatever an external Redis already holds: old events would read as huge latencies.
            app.resetProcessor(PROCESSOR, "$");
            Worker worker = app.worker(PROCESSOR).start();
            Bench.await("the worker to own all partitions", Duration.ofSeconds(60),
                    () -> worker.ownedPartitions(PROCESSOR).size() == ticks.partitionCount());
            System.out.printf("%s: worker owns %d partitions; producing %,d events/s: warm-up of %d to %d s "
                            + "(until the JIT is quiet), then %d s measured%n", transport, ticks.partitionCount(), rate,
                    warmup.toSeconds(), warmupMax.toSeconds(), measure.toSeconds());

            JitWarmup jit = new JitWarmup();
            long jitAtStart = jit.compileMillis();
            PacedProducer<Order> producer = new PacedProducer<>(ticks, rate, tick, Latency::order);
            Duration warmedFor = jit.await(warmup, warmupMax);
            long warmupLongestSend = producer.takeLongestSendNanos();
            long jitAtMeasure = jit.compileMillis();
            long measureStart = System.nanoTime();
            long sentBefore = producer.sent();
            recording.set(true);
            Thread.sleep(measure.toMillis()); // the measurement's length
            long sentDuring = producer.sent() - sentBefore;
            long measureNanos = System.nanoTime() - measureStart;
            long jitDuring = jit.compileMillis() - jitAtMeasure;
            producer.close();
            long sent = producer.sent();
            // Every sent event must arrive before the numbers are read (and before the worker stops).
            Bench.await("all " + sent + " events to be received", Duration.ofSeconds(60),
                    () -> received.sum() >= sent || worker.failure().isPresent());
            worker.failure().ifPresent(f -> {
                throw new IllegalStateException("worker failed", f);
            });
            worker.stop();
            double achieved = sentDuring / (measureNanos / 1e9);
            Result r = new Result(transport, rate, Math.round(achieved * 10) / 10.0, byId.count(), sent,
                    Bench.millis(producer.takeLongestSendNanos()), Percentiles.of(byId), Percentiles.of(bySend),
                    Math.round(warmedFor.toMillis() / 100.0) / 10.0, Bench.millis(warmupLongestSend),
                    Percentiles.of(warmingById), jitAtStart < 0 ? -1 : jitAtMeasure - jitAtStart,
                    jitAtStart < 0 ? -1 : jitDuring);
            System.out.printf("%s: warmed up for %.1f s (JIT %d ms), then sent %,d, measured %,d events, achieved "
                            + "%,.0f events/s; id p99 %.3f ms, send p99 %.3f ms; longest sendAll %.1f ms; JIT %d ms "
                            + "during the measurement%n", transport, r.warmupSeconds(), r.jitMillisDuringWarmup(), sent,
                    byId.count(), achieved, r.idLatency().p99(), r.sendLatency().p99(), r.longestSendMs(), jitDuring);
            return r;
        }
    }

    /** An order stamped with the producer's wall clock ({@code at}, µs resolution) at send time. */
    private static Order order(long seq) {
        return new Order(seq, "customer-%05d".formatted(seq % 10_000), (seq % 100_000) / 100.0 + 0.99, Instant.now());
    }

    static long wallMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }

    static long idMillis(String id) {
        int dash = id.indexOf('-');
        return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    }
}
