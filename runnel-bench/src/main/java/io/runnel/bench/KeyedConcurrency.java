// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.codahale.metrics.Snapshot;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Key-ordered concurrency ({@code max_in_flight}) against a preloaded backlog: one worker in
 * this JVM drains a 16-partition stream whose handler waits (a virtual-thread sleep standing
 * in for I/O) or does nothing, so the producer does not limit. Per row: events/s from the
 * first event processed to the last counted, CPU per event of this JVM and of redis-server
 * ({@code INFO cpu}) over the row, the most heap used (sampled every 100 ms) and the heap
 * still used after a full GC halfway through the row (the live set), and the p99 of
 * the time events waited behind an earlier event of their key ({@code key-wait}).
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.KeyedConcurrency [--events N]
 *     [--keys K] [--work-ms W] [--in-flight 1,16,64,256] [--repeats R] [--noop-events N] [--transport lettuce|jedis]
 *     [--redis-url URL] [--sets io,noop,zipf,keys] [--out FILE]</pre>
 *
 * Rows, after three warm-up rows: the I/O-bound handler at each {@code --in-flight}; a handler
 * that does nothing, in the loop form and per record at 1 and 64, alternating {@code --repeats}
 * times (the mode's own CPU cost); the I/O-bound handler over
 * Zipf(1.0)-distributed keys at 64 and 256; and at the largest in-flight over 100,000
 * distinct keys (heap stays bounded). The backlog of each stream is sent once; every row
 * resets its processor's group to the start and processes a fixed number of events.
 */
public final class KeyedConcurrency {
    static final String USAGE = "usage: KeyedConcurrency [--events N] [--keys K] [--work-ms W] [--in-flight 1,16,64,256] "
            + "[--repeats R] [--noop-events N] [--transport lettuce|jedis] [--redis-url URL] [--sets io,noop,zipf,keys] "
            + "[--out FILE]";
    private static final int PARTITIONS = 16;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** One row: which stream, which form, how many at once, how long the handler waits, how many events to count. */
    record Row(String name, String stream, boolean loopForm, int inFlight, long workMillis, long events) {
    }

    /** What a row measured. */
    record Result(String row, int inFlight, long events, double seconds, double rate, double cpuMicrosPerEvent,
                  double redisCpuMicrosPerEvent, long maxHeapBytes, long liveHeapBytes, double keyWaitP99Millis) {
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int events = cli.integer("events", 300_000);
        int keys = cli.integer("keys", 1000);
        long workMillis = cli.integer("work-ms", 5);
        List<Integer> inFlights = cli.list("in-flight", "1,16,64,256").stream().map(Integer::parseInt).toList();
        int repeats = cli.integer("repeats", 3);
        int noopEvents = cli.integer("noop-events", 1_000_000);
        String transport = cli.string("transport", "lettuce");
        String url = cli.string("redis-url", null);
        // Which groups of rows to run: the I/O-bound rows, the CPU-bound (no-op) rows, the skewed
        // keys, the 100,000 distinct keys. A subset, with more repeats, narrows one comparison.
        List<String> sets = cli.list("sets", "io,noop,zipf,keys");
        Path out = Path.of(cli.string("out", Bench.defaultOut("keyed-concurrency-" + transport).toString()));
        cli.rejectUnknown();

        int most = inFlights.stream().mapToInt(Integer::intValue).max().orElse(1);
        List<Row> rows = new ArrayList<>();
        // Warm-up rows (not reported): the JIT compiles the paths the measured rows take.
        rows.add(new Row("warmup-noop-loop", "uniform", true, 1, 0, noopEvents));
        rows.add(new Row("warmup-noop-64", "uniform", false, 64, 0, noopEvents));
        if (sets.contains("io")) {
            rows.add(new Row("warmup-io-64", "uniform", false, 64, workMillis, events / 2));
        }
        for (int n : sets.contains("io") ? inFlights : List.<Integer>of()) {
            // At 1 the rate is partitions ÷ work: 20 s of it is plenty.
            long count = n == 1 ? Math.min(events, PARTITIONS * 1000L / Math.max(1, workMillis) * 20) : events;
            rows.add(new Row("io-" + n, "uniform", false, n, workMillis, count));
        }
        for (int r = 1; r <= (sets.contains("noop") ? repeats : 0); r++) {
            // Alternating, so that the machine's drift falls on all three alike.
            rows.add(new Row("noop-loop-r" + r, "uniform", true, 1, 0, noopEvents));
            rows.add(new Row("noop-1-r" + r, "uniform", false, 1, 0, noopEvents));
            rows.add(new Row("noop-64-r" + r, "uniform", false, 64, 0, noopEvents));
        }
        if (most != 64 && sets.contains("noop")) {
            rows.add(new Row("noop-" + most, "uniform", false, most, 0, noopEvents));
        }
        if (sets.contains("zipf")) {
            rows.add(new Row("io-zipf-64", "zipf", false, 64, workMillis, events / 4));
            if (most != 64) {
                rows.add(new Row("io-zipf-" + most, "zipf", false, most, workMillis, events / 4));
            }
        }
        if (sets.contains("keys")) {
            rows.add(new Row("io-100k-keys-" + most, "distinct", false, most, workMillis, events));
        }

        List<Result> results = new ArrayList<>();
        try (Bench.Redis redis = Bench.Redis.startOrUse(url);
             RedisClient client = RedisClient.create(redis.url());
             StatefulRedisConnection<String, String> info = client.connect()) {
            App app = Bench.app("keyed", redis.url(), transport, PARTITIONS).build();
            Map<String, Stream<Order>> streams = new LinkedHashMap<>();
            for (String s : List.of("uniform", "zipf", "distinct")) {
                // Every row re-reads its stream from the start: no retention pass may trim what the
                // earlier rows acknowledged.
                streams.put(s, app.stream(s, Order.class, Order::customer,
                        o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1))));
            }
            Map<String, AtomicLong> counts = new LinkedHashMap<>();
            for (Row row : rows) {
                AtomicLong count = new AtomicLong();
                counts.put(row.name(), count);
                long work = row.workMillis();
                if (row.loopForm()) {
                    app.processor(streams.get(row.stream()), row.name(), e -> {
                        for (Order ignored : e.records()) {
                            count.incrementAndGet();
                        }
                    });
                } else {
                    app.processor(streams.get(row.stream()), row.name(), o -> o.maxInFlight(row.inFlight()),
                            ProcessorFunction.<Order>eachRecord(order -> {
                                if (work > 0) {
                                    Thread.sleep(work);
                                }
                                count.incrementAndGet();
                            }));
                }
            }
            System.out.printf("preloading %,d + 2 × %,d events (%d partitions)%n", Math.max(events, noopEvents), events,
                    PARTITIONS);
            preload(streams.get("uniform"), Math.max(events, noopEvents), i -> "key-" + (i % keys));
            SplittableRandom random = new SplittableRandom(42);
            Zipf zipf = new Zipf(keys, 1.0);
            if (sets.contains("zipf")) {
                preload(streams.get("zipf"), events, i -> "key-" + zipf.next(random));
            }
            if (sets.contains("keys")) {
                preload(streams.get("distinct"), events, i -> "key-" + (i % 100_000));
            }

            for (Row row : rows) {
                Result r = run(app, row, counts.get(row.name()), info);
                if (row.name().startsWith("warmup-")) {
                    System.out.printf("%-22s %,10.0f events/s (warm-up)%n", row.name(), r.rate());
                    continue;
                }
                results.add(r);
                System.out.printf("%-22s in-flight %4d  %,10.0f events/s  %7.2f µs CPU/event (+ redis %5.2f)  heap max %,5d MB"
                                + "  live %,4d MB  key-wait p99 %8.1f ms  (%,d events in %.1f s)%n", r.row(), r.inFlight(),
                        r.rate(), r.cpuMicrosPerEvent(), r.redisCpuMicrosPerEvent(), r.maxHeapBytes() >> 20,
                        r.liveHeapBytes() >> 20, r.keyWaitP99Millis(), r.events(), r.seconds());
            }
            app.close();
        }
        Map<String, Object> doc = new LinkedHashMap<>(Bench.machine());
        doc.put("transport", transport);
        doc.put("partitions", PARTITIONS);
        doc.put("keys", keys);
        doc.put("work_ms", workMillis);
        doc.put("rows", results);
        Bench.writeJson(out, doc);
    }

    /** Sends the backlog: {@code n} orders whose customers (the key) {@code keyOf} picks. */
    private static void preload(Stream<Order> stream, int n, java.util.function.LongFunction<String> keyOf) {
        List<Order> batch = new ArrayList<>(1000);
        Instant at = Instant.now();
        for (long i = 0; i < n; i++) {
            batch.add(new Order(i, keyOf.apply(i), 9.99, at));
            if (batch.size() == 1000) {
                stream.sendAll(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            stream.sendAll(batch);
        }
    }

    private static Result run(App app, Row row, AtomicLong count, StatefulRedisConnection<String, String> info)
            throws Exception {
        app.resetProcessor(row.name(), "0");
        System.gc();
        long cpu0 = Bench.processCpuNanos();
        double redis0 = redisCpuSeconds(info);
        long maxHeap = 0;
        Worker worker = app.worker(row.name()).start();
        long first = 0;
        long live = -1;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (count.get() < row.events()) {
            if (first == 0 && count.get() > 0) {
                first = System.nanoTime();
            }
            maxHeap = Math.max(maxHeap, MEMORY.getHeapMemoryUsage().getUsed());
            if (live < 0 && count.get() >= row.events() / 2) {
                // Halfway, with the worker at full stride: what stays live (one pause, in the rate).
                System.gc();
                live = MEMORY.getHeapMemoryUsage().getUsed();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(row.name() + ": only " + count.get() + " events in 5 minutes");
            }
            Thread.sleep(first == 0 ? 1 : 100);
        }
        long end = System.nanoTime();
        long done = count.get();
        long cpu = Bench.processCpuNanos() - cpu0;
        double redisCpu = redisCpuSeconds(info) - redis0;
        worker.stop();
        Snapshot keyWait = app.metrics().timer("runnel.keyed." + row.name() + ".key-wait").getSnapshot();
        double seconds = (end - first) / 1e9;
        return new Result(row.name(), row.inFlight(), done, seconds, done / seconds, cpu / 1e3 / done,
                redisCpu * 1e6 / done, maxHeap, live, keyWait.get99thPercentile() / 1e6);
    }

    /** redis-server's own CPU time so far, user and system ({@code INFO cpu}). */
    private static double redisCpuSeconds(StatefulRedisConnection<String, String> info) {
        double seconds = 0;
        for (String line : info.sync().info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return seconds;
    }

    /** Zipf-distributed ranks 0..n-1 with exponent s, by inverting the cumulative distribution. */
    static final class Zipf {
        private final double[] cumulative;

        Zipf(int n, double s) {
            cumulative = new double[n];
            double sum = 0;
            for (int k = 1; k <= n; k++) {
                sum += 1 / Math.pow(k, s);
                cumulative[k - 1] = sum;
            }
            for (int k = 0; k < n; k++) {
                cumulative[k] /= sum;
            }
        }

        int next(SplittableRandom random) {
            double u = random.nextDouble();
            int i = java.util.Arrays.binarySearch(cumulative, u);
            return i >= 0 ? i : Math.min(cumulative.length - 1, -i - 1);
        }
    }
}
