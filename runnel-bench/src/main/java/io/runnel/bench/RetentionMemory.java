// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.runnel.engine.App;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Redis memory under the {@code acked} retention (issue 14): a producer sends at a fixed
 * rate through three phases while one processor consumes, is stopped, then runs again. Every
 * {@code --sample} it records the entries the 16 partitions hold, the entries the processor
 * has not processed yet (pending + lag of its group) and Redis's {@code used_memory}.
 *
 * <p>The claim it checks: partitions hold what the consumers have not processed, plus at
 * most one {@code retention_interval} of traffic (plus the last delivered entry of each
 * partition, which the acked trim keeps), and nothing the processor still needs is lost: at
 * the end it has processed every event sent.
 */
public final class RetentionMemory {
    static final String USAGE = "usage: RetentionMemory [--rate EV_PER_S] [--phase-seconds S] [--interval 2s] "
            + "[--sample 500ms] [--transport lettuce|jedis] [--redis-url URL] [--out FILE]";
    private static final String APP = "retention";
    private static final int PARTITIONS = 16;
    private static final List<String> PHASES = List.of("consuming", "stopped", "catching up");

    /** One sample: when, in which phase, and what the partitions and Redis held. */
    record Sample(double seconds, String phase, long entries, long unprocessed, long usedMemory, long sent,
                  long processed) {
        long beyondUnprocessed() {
            return entries - unprocessed;
        }
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int rate = cli.integer("rate", 5000);
        Duration phase = Duration.ofSeconds(cli.integer("phase-seconds", 10));
        Duration interval = cli.duration("interval", Duration.ofSeconds(2));
        Duration every = cli.duration("sample", Duration.ofMillis(500));
        String transport = cli.string("transport", "lettuce");
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("retention").toString()));
        cli.rejectUnknown();

        try (Bench.Redis redis = Bench.Redis.startOrUse(url)) {
            App.Builder builder = Bench.app(APP, redis.url(), transport, PARTITIONS)
                    .setting("default_retention_interval", interval.toMillis() + "ms");
            try (App app = builder.build()) {
                run(app, redis.url(), rate, phase, interval, every, out);
            }
        }
        System.exit(0);
    }

    private static void run(App app, String url, int rate, Duration phase, Duration interval, Duration every,
                            Path out) throws Exception {
        Stream<Order> orders = app.stream("orders", Order.class, Order::id);
        LongAdder processed = new LongAdder();
        app.processor(orders, "consumer", events -> {
            for (Order ignored : events.records()) {
                processed.increment();
            }
        });
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            for (int p = 0; p < PARTITIONS; p++) {
                redis.sync().del(orders.partitionKey(p));
            }
            app.resetProcessor("consumer", "0");
            List<Sample> samples = new ArrayList<>();
            long t0 = System.nanoTime();
            Worker worker = app.worker("consumer").start();
            Bench.await("the worker to own all partitions", Duration.ofSeconds(60),
                    () -> worker.ownedPartitions("consumer").size() == PARTITIONS);
            try (PacedProducer<Order> producer = new PacedProducer<>(orders, rate, Duration.ofMillis(1), Order::sample)) {
                for (String name : PHASES) {
                    Worker running = null;
                    if (name.equals("catching up")) {
                        running = app.worker("consumer").start();
                    }
                    long end = System.nanoTime() + phase.toNanos();
                    while (System.nanoTime() < end) {
                        Thread.sleep(every.toMillis()); // the sampling interval, not synchronisation
                        samples.add(sample(app, redis, name, t0, producer.sent(), processed.sum()));
                    }
                    if (name.equals("consuming")) {
                        worker.stop();
                    }
                    if (running != null) {
                        producer.close();
                        long sent = producer.sent();
                        Bench.await("the consumer to process every event sent", Duration.ofMinutes(2),
                                () -> processed.sum() >= sent);
                        samples.add(sample(app, redis, "drained", t0, sent, processed.sum()));
                        running.stop();
                    }
                }
            }
            report(samples, rate, phase, interval, every, out);
        } finally {
            client.shutdown();
        }
    }

    private static Sample sample(App app, StatefulRedisConnection<String, String> redis,
                                 String phase, long t0, long sent, long processed) {
        long entries = 0;
        long unprocessed = 0;
        for (PartitionStatus p : app.status().processor("consumer").partitions()) {
            entries += p.length();
            unprocessed += p.pending() + p.lag().orElse(0);
        }
        long used = Long.parseLong(redis.sync().info("memory").lines()
                .filter(l -> l.startsWith("used_memory:")).findFirst().orElse("used_memory:0").substring(12).trim());
        return new Sample((System.nanoTime() - t0) / 1e9, phase, entries, unprocessed, used, sent, processed);
    }

    private static void report(List<Sample> samples, int rate, Duration phase, Duration interval, Duration every,
                               Path out) {
        long bound = (long) Math.ceil(rate * interval.toMillis() / 1000.0) + PARTITIONS;
        System.out.printf("%8s  %-12s %10s %12s %10s %12s %10s%n", "s", "phase", "entries", "unprocessed", "beyond",
                "used MiB", "processed");
        for (Sample s : samples) {
            System.out.printf("%8.1f  %-12s %,10d %,12d %,10d %12.1f %,10d%n", s.seconds(), s.phase(), s.entries(),
                    s.unprocessed(), s.beyondUnprocessed(), s.usedMemory() / 1048576.0, s.processed());
        }
        List<Map<String, Object>> phases = new ArrayList<>();
        for (String name : List.of("consuming", "stopped", "catching up", "drained")) {
            List<Sample> in = samples.stream().filter(s -> s.phase().equals(name)).toList();
            if (in.isEmpty()) {
                continue;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("phase", name);
            m.put("maxEntries", in.stream().mapToLong(Sample::entries).max().orElse(0));
            m.put("maxUnprocessed", in.stream().mapToLong(Sample::unprocessed).max().orElse(0));
            m.put("maxBeyondUnprocessed", in.stream().mapToLong(Sample::beyondUnprocessed).max().orElse(0));
            m.put("maxUsedMemoryMiB", Math.round(in.stream().mapToLong(Sample::usedMemory).max().orElse(0) / 10485.76) / 100.0);
            phases.add(m);
            System.out.printf("%-12s max entries %,d, max unprocessed %,d, max beyond unprocessed %,d (bound %,d), "
                            + "max used_memory %.1f MiB%n", name, m.get("maxEntries"), m.get("maxUnprocessed"),
                    m.get("maxBeyondUnprocessed"), bound, m.get("maxUsedMemoryMiB"));
        }
        Sample last = samples.get(samples.size() - 1);
        Map<String, Object> doc = Bench.machine();
        doc.put("rate", rate);
        doc.put("phaseSeconds", phase.toSeconds());
        doc.put("intervalMs", interval.toMillis());
        doc.put("sampleMs", every.toMillis());
        doc.put("bound", bound);
        doc.put("sent", last.sent());
        doc.put("processed", last.processed());
        doc.put("phases", phases);
        Bench.writeJson(out, doc);
    }
}
