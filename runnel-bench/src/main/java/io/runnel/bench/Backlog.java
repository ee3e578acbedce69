// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.runnel.api.Event;
import io.runnel.api.RecordType;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.serde.json.JsonSerializer;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Memory under a backlog: preloads {@code --events} (default 1,000,000) ~100-byte JSON
 * orders into 16 partitions, then runs one worker whose processor is slow (it sleeps
 * {@code --work-micros} per event, so it can never catch up) and samples the heap after a
 * full GC every {@code --sample} while the backlog is being consumed.
 *
 * <p>Backpressure means the worker holds at most {@code 1.5 × prefetch_count} events per
 * partition (a buffer is read again once down to half) and one in hand, whatever the backlog;
 * the bound used here, {@code 2 × prefetch_count}, leaves room for a read's raw reply while it
 * is decoded. The harness reports the largest heap growth next to that bound, and — because
 * a worker also has fixed costs (threads, buffers of the client library) — next to the growth
 * of the same worker on an empty stream, measured first.
 *
 * <p>Run it with a small fixed heap to make the point, e.g. {@code -Xmx256m}: the backlog's
 * payload alone (about 100 MB) would not fit.
 */
public final class Backlog {
    static final String USAGE = "usage: Backlog [--events N] [--work-micros US] [--seconds S] [--sample 500ms] "
            + "[--prefetch N] [--transport lettuce|jedis] [--redis-url URL] [--out FILE]";
    private static final String APP = "backlog";
    private static final int PARTITIONS = 16;
    private static final int BATCH = 1000;
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    static volatile Object keep;

    /** One heap sample: seconds since the worker started, heap used after GC, events processed so far. */
    record Sample(double seconds, long heapUsed, long processed) {
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int events = cli.integer("events", 1_000_000);
        long workMicros = cli.integer("work-micros", 1000);
        Duration seconds = Duration.ofSeconds(cli.integer("seconds", 20));
        Duration every = cli.duration("sample", Duration.ofMillis(500));
        String prefetchOption = cli.string("prefetch", null);
        String transport = cli.string("transport", "lettuce");
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("backlog").toString()));
        cli.rejectUnknown();

        try (Bench.Redis redis = Bench.Redis.startOrUse(url)) {
            App.Builder builder = Bench.app(APP, redis.url(), transport, PARTITIONS);
            if (prefetchOption != null) {
                builder.setting("default_prefetch_count", Integer.parseInt(prefetchOption));
            }
            try (App app = builder.build()) {
                run(app, redis.url(), events, workMicros, seconds, every, out);
            }
        }
        System.exit(0);
    }

    private static void run(App app, String url, int events, long workMicros, Duration seconds, Duration every,
                            Path out) throws Exception {
        int prefetch = app.settings().defaultPrefetchCount();
        long partitionSize = Math.max(app.settings().defaultPartitionSize(), 2L * events / PARTITIONS + 1000);
        Stream<Order> orders = app.stream("orders", Order.class, Order::id, o -> o.partitionSize(partitionSize));
        Stream<Order> empty = app.stream("empty", Order.class, Order::id);
        LongAdder processed = new LongAdder();
        Duration work = Duration.ofNanos(workMicros * 1000);
        app.processor(orders, "slow", slowEvents -> {
            for (Order o : slowEvents.records()) {
                processed.increment();
                if (!work.isZero()) {
                    Thread.sleep(work);
                }
            }
        });
        app.processor(empty, "idle", e -> {
            for (Order o : e.records()) {
                processed.increment();
            }
        });
        clear(url, orders, empty);

        long t0 = System.nanoTime();
        Bench.sendSamples(orders, events, BATCH);
        int eventBytes = new JsonSerializer().serialize(RecordType.of(Order.class), Order.sample(events - 1)).length;
        System.out.printf("preloaded %,d events (%d bytes of JSON each, %.1f MB of payload) in %d ms%n", events,
                eventBytes, events * (double) eventBytes / 1e6, (System.nanoTime() - t0) / 1_000_000);
        long eventHeapBytes = eventHeapBytes(eventBytes);

        // The worker's fixed cost, with nothing to buffer: same app, same settings, empty stream.
        long beforeIdle = heapAfterGc();
        Worker idle = app.worker("idle").start();
        Bench.await("the idle worker to own all partitions", Duration.ofSeconds(60),
                () -> idle.ownedPartitions("idle").size() == PARTITIONS);
        long idleMax = 0;
        for (int i = 0; i < 4; i++) {
            Thread.sleep(every.toMillis()); // sampling interval, not synchronisation
            idleMax = Math.max(idleMax, heapAfterGc());
        }
        idle.stop();
        long idleGrowth = idleMax - beforeIdle;

        app.resetProcessor("slow", "0");
        long baseline = heapAfterGc();
        System.out.printf("heap used after GC before the worker starts: %.1f MiB (idle worker grew it by %.1f MiB)%n",
                mib(baseline), mib(idleGrowth));
        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        Worker worker = app.worker("slow").start();
        long end = start + seconds.toNanos();
        long next = start;
        while (System.nanoTime() < end) {
            next += every.toNanos();
            Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000)); // sampling interval
            Sample s = new Sample((System.nanoTime() - start) / 1e9, heapAfterGc(), processed.sum());
            samples.add(s);
            System.out.printf("  t=%5.1f s  heap %7.1f MiB  (+%6.2f MiB)  processed %,9d%n", s.seconds(), mib(s.heapUsed()),
                    mib(s.heapUsed() - baseline), s.processed());
            if (worker.failure().isPresent()) {
                throw new IllegalStateException("worker failed", worker.failure().get());
            }
        }
        long processedWhileRunning = processed.sum();
        worker.stop();
        long afterStop = heapAfterGc();

        long maxGrowth = samples.stream().mapToLong(Sample::heapUsed).max().orElse(baseline) - baseline;
        int half = samples.size() / 2;
        long firstHalfMax = samples.subList(0, half).stream().mapToLong(Sample::heapUsed).max().orElse(baseline) - baseline;
        long secondHalfMax = samples.subList(half, samples.size()).stream().mapToLong(Sample::heapUsed).max().orElse(baseline)
                - baseline;
        long bufferedBound = 2L * prefetch * PARTITIONS;
        long boundBytes = bufferedBound * eventHeapBytes;
        long backlogPayload = (long) events * eventBytes;

        System.out.println();
        System.out.printf("backlog %,d events (%.1f MB payload), %d partitions, prefetch_count %d, %d µs of work per event%n",
                events, backlogPayload / 1e6, PARTITIONS, prefetch, workMicros);
        System.out.printf("processed %,d events in %d s while sampling (%d samples); heap max %.1f MiB%n",
                processedWhileRunning, seconds.toSeconds(), samples.size(), mib(Runtime.getRuntime().maxMemory()));
        System.out.printf("max heap growth            %8.2f MiB (first half %.2f, second half %.2f)%n", mib(maxGrowth),
                mib(firstHalfMax), mib(secondHalfMax));
        System.out.printf("idle worker growth         %8.2f MiB (same worker, empty stream: fixed cost)%n", mib(idleGrowth));
        System.out.printf("expected buffer bound      %8.2f MiB = prefetch %d x 2 x %d partitions x %d B per buffered event%n",
                mib(boundBytes), prefetch, PARTITIONS, eventHeapBytes);
        System.out.printf("heap after stop            %+8.2f MiB vs baseline%n", mib(afterStop - baseline));

        Map<String, Object> doc = Bench.machine();
        doc.put("events", events);
        doc.put("partitions", PARTITIONS);
        doc.put("prefetchCount", prefetch);
        doc.put("workMicros", workMicros);
        doc.put("seconds", seconds.toSeconds());
        doc.put("eventJsonBytes", eventBytes);
        doc.put("eventHeapBytes", eventHeapBytes);
        doc.put("backlogPayloadBytes", backlogPayload);
        doc.put("processed", processedWhileRunning);
        doc.put("baselineHeapBytes", baseline);
        doc.put("maxGrowthBytes", maxGrowth);
        doc.put("firstHalfMaxGrowthBytes", firstHalfMax);
        doc.put("secondHalfMaxGrowthBytes", secondHalfMax);
        doc.put("idleWorkerGrowthBytes", idleGrowth);
        doc.put("bufferBoundEvents", bufferedBound);
        doc.put("bufferBoundBytes", boundBytes);
        doc.put("afterStopGrowthBytes", afterStop - baseline);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Sample s : samples) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seconds", Math.round(s.seconds() * 10) / 10.0);
            m.put("growthBytes", s.heapUsed() - baseline);
            m.put("processed", s.processed());
            rows.add(m);
        }
        doc.put("samples", rows);
        Bench.writeJson(out, doc);
    }

    /** Empties the streams first, so the backlog is exactly what this run preloads (matters with --redis-url). */
    private static void clear(String url, Stream<?>... streams) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            for (Stream<?> s : streams) {
                for (int p = 0; p < s.partitionCount(); p++) {
                    c.sync().del(s.partitionKey(p));
                }
            }
        } finally {
            client.shutdown();
        }
    }

    /**
     * What one buffered event costs on the heap, measured rather than guessed: the growth from
     * 20,000 events shaped as a fetch makes them (id string, field map, payload array).
     */
    private static long eventHeapBytes(int payload) {
        int n = 20_000;
        long before = heapAfterGc();
        List<Event> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, byte[]> fields = new LinkedHashMap<>();
            fields.put("data", new byte[payload]);
            list.add(new Event("orders", i % PARTITIONS, (1_764_000_000_000L + i) + "-" + (i % 7), fields));
        }
        keep = list;
        long after = heapAfterGc();
        keep = null;
        return Math.max(payload, (after - before) / n);
    }

    private static long heapAfterGc() {
        System.gc();
        System.gc(); // a second pass picks up what finalization/reference processing freed in the first
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }
}
