// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.api.Event;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.RecordType;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.serde.json.JsonSerializer;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One {@link Latency} run: one transport, measured in this JVM, which {@link Latency}
 * started for it, so that nothing this run compiled or allocated helps or hurts the next.
 * A producer thread sends {@code --rate} events/s while one worker consumes them.
 *
 * <p>Two windows, both on the same stream of events: <b>cold</b>, the first
 * {@code --cold-seconds} after the producer starts (the worker owns its partitions by then;
 * no warm-up: what a freshly started worker sees), and — unless {@code --mode cold} —
 * <b>steady</b>, {@code --seconds} measured once the warm-up is over (at least the cold
 * window and {@code --warmup-seconds}, then until the JIT is quiet). It writes its
 * {@link Latency.Result} as JSON to {@code --out} and exits; if its standard input closes (the
 * parent died) it halts, so it never outlives the parent.
 */
public final class LatencyChild {
    private static final String PROCESSOR = "latency";
    /** The processor of the optional hop (see {@code --hop}). */
    private static final String HOP = "hop";

    static volatile long sink;

    private final Latency.Plan plan;
    private final String transport;
    private final String redisUrl;
    private final GcPauses gc = new GcPauses(); // first: pauses from the very start count
    private final JitWarmup jit = new JitWarmup();
    private final Meter cold = new Meter();
    private final Meter steady = new Meter();
    private final LongAdder received = new LongAdder();
    private final AtomicLong firstEventAtMillis = new AtomicLong();
    /** The window events are recorded into; null between and after the windows. */
    private volatile Meter current;
    private long warmupJitMillis = -1;

    private LatencyChild(Latency.Plan plan, String transport, String redisUrl) {
        this.plan = plan;
        this.transport = transport;
        this.redisUrl = redisUrl;
    }

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        Cli cli = Cli.parse(args, "usage: LatencyChild (started by Latency)");
        Latency.Plan plan = Latency.Plan.from(cli);
        String transport = cli.string("transport", "lettuce");
        int run = cli.integer("run", 1);
        String url = cli.string("redis-url", null);
        String jvmOptions = cli.string("jvm-options", "");
        Path out = Path.of(cli.string("out", "latency-child.json"));
        long launchedAt = Long.parseLong(cli.string("launched-at", Long.toString(mainAt)));
        cli.rejectUnknown();
        haltWhenParentGoes();
        Latency.Result r = new LatencyChild(plan, transport, url).measure(run, jvmOptions, launchedAt, mainAt);
        Bench.JSON.writeValue(out.toFile(), r);
        System.exit(0);
    }

    private static void haltWhenParentGoes() {
        Thread.ofPlatform().daemon().name("stdin-watch").start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // keep reading until the parent's end of the pipe closes
                }
            } catch (Exception ignored) {
                // same: the parent is gone
            }
            Runtime.getRuntime().halt(1);
        });
    }

    private Latency.Result measure(int run, String jvmOptions, long launchedAt, long mainAt) throws Exception {
        JsonSerializer json = new JsonSerializer();
        RecordType<Order> type = RecordType.of(Order.class);
        try (App app = App.builder("latency-" + transport)
                .environment(Map.of())
                // "memory" measures the engine alone: the in-process store instead of Redis.
                .redisUrl(transport.equals("memory") ? "memory://latency" : redisUrl)
                .setting("transport", transport)
                .setting("default_join_delay", 0)
                .build()) {
            Stream<Order> ticks = app.stream("ticks", Order.class, Order::id);
            Stream<Order> measured = ticks;
            if (!plan.hop().equals("none")) {
                // A hop before the measuring processor: each event forwarded through a context, committed with its ack.
                measured = app.stream("ticks-hopped", Order.class, Order::id);
                Stream<Order> out = measured;
                app.processor(ticks, HOP, o -> o.processingGuarantee(ProcessingGuarantee.valueOf(
                                plan.hop().toUpperCase(java.util.Locale.ROOT))),
                        ProcessorFunction.<Order>eachRecordWithContext((order, context) -> context.send(out, order)));
                app.resetProcessor(HOP, "$");
            }
            app.processor(measured, PROCESSOR, events -> {
                long s = 0;
                for (Event e : events.events()) {
                    long now = Latency.wallMicros(Instant.now());
                    Order o = json.deserialize(type, e.field("data")); // the per-record cost a real processor pays
                    s += o.id();
                    Meter m = current;
                    if (m != null) {
                        m.record(now - Latency.idMillis(e.id()) * 1000, now - Latency.wallMicros(o.at()));
                    }
                    firstEventAtMillis.compareAndSet(0, now / 1000);
                    received.increment();
                }
                sink += s;
            });
            // Start after whatever an external Redis already holds: old events would read as huge latencies.
            app.resetProcessor(PROCESSOR, "$");
            Worker worker = plan.hop().equals("none") ? app.worker(PROCESSOR).start() : app.worker(HOP, PROCESSOR).start();
            Bench.await("the worker to own all partitions", Duration.ofSeconds(60),
                    () -> worker.ownedPartitions(PROCESSOR).size() == ticks.partitionCount()
                            && (plan.hop().equals("none") || worker.ownedPartitions(HOP).size() == ticks.partitionCount()));
            long ownedAt = System.currentTimeMillis();
            System.out.printf("%s: worker owns %d partitions %d ms after launch; producing %,d events/s: first %d s "
                            + "recorded%s%n", transport, ticks.partitionCount(), ownedAt - launchedAt, plan.rate(),
                    plan.cold().toSeconds(), plan.steady() ? ", warm-up until the JIT is quiet, then %d s measured"
                            .formatted(plan.measure().toSeconds()) : "");

            PacedProducer<Order> producer = new PacedProducer<>(ticks, plan.rate(), plan.tick(), LatencyChild::order);
            Duration warmedFor = plan.steady() ? coldThenSteady(producer) : coldOnly(producer);
            producer.close();
            long sent = producer.sent();
            // Every sent event must arrive before the worker stops (and a lost one would be a bug).
            Bench.await("all " + sent + " events to be received", Duration.ofSeconds(60),
                    () -> received.sum() >= sent || worker.failure().isPresent());
            worker.failure().ifPresent(f -> {
                throw new IllegalStateException("worker failed", f);
            });
            worker.stop();
            Latency.Startup startup = new Latency.Startup(mainAt - launchedAt, ownedAt - launchedAt,
                    firstEventAtMillis.get() - launchedAt);
            return new Latency.Result(run, transport, jvmOptions, gc.collectors(),
                    Runtime.getRuntime().maxMemory() / (1024 * 1024), plan.rate(), startup, cold.window(gc),
                    plan.steady() ? steady.window(gc) : null, Math.round(warmedFor.toMillis() / 100.0) / 10.0,
                    warmupJitMillis, sent);
        }
    }

    /** Records the cold window only. */
    private Duration coldOnly(PacedProducer<Order> producer) throws InterruptedException {
        cold.open(producer, jit);
        current = cold;
        Thread.sleep(plan.cold().toMillis()); // the window's length
        current = null;
        cold.close(producer, jit);
        return Duration.ZERO;
    }

    /**
     * Records the cold window while the warm-up runs (the JIT is watched from the producer's
     * start), then the steady window once the warm-up is over.
     *
     * @return how long the warm-up took
     */
    private Duration coldThenSteady(PacedProducer<Order> producer) throws InterruptedException {
        Thread coldCloser = Thread.ofPlatform().name("cold-window").start(() -> {
            try {
                coldOnly(producer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Duration min = plan.warmup().compareTo(plan.cold()) > 0 ? plan.warmup() : plan.cold();
        Duration warmedFor = jit.await(min, plan.warmupMax().compareTo(min) > 0 ? plan.warmupMax() : min);
        coldCloser.join(); // the warm-up lasts at least the cold window: it has closed or is closing now
        warmupJitMillis = cold.jitAtOpen < 0 ? -1 : jit.compileMillis() - cold.jitAtOpen;
        System.out.printf("%s: warmed up for %.1f s (JIT %d ms); measuring %d s%n", transport,
                warmedFor.toMillis() / 1000.0, warmupJitMillis, plan.measure().toSeconds());
        steady.open(producer, jit);
        current = steady;
        Thread.sleep(plan.measure().toMillis()); // the measurement's length
        current = null;
        steady.close(producer, jit);
        return warmedFor;
    }

    /** An order stamped with the producer's wall clock ({@code at}, µs resolution) at send time. */
    private static Order order(long seq) {
        return new Order(seq, "customer-%05d".formatted(seq % 10_000), (seq % 100_000) / 100.0 + 0.99, Instant.now());
    }

    /**
     * One window's histograms and the counters read when it opened and closed. Opened and
     * closed by one thread, read by another only after joining it.
     */
    private static final class Meter {
        private final LatencyHistogram byId = new LatencyHistogram();
        private final LatencyHistogram bySend = new LatencyHistogram();
        private long openNanos;
        private long closeNanos;
        private long sentAtOpen;
        private long sentAtClose;
        private long jitAtOpen;
        private long jitAtClose;
        private long uptimeAtOpen;
        private long uptimeAtClose;
        private long longestSendNanos;

        void record(long idMicros, long sendMicros) {
            byId.record(idMicros);
            bySend.record(sendMicros);
        }

        void open(PacedProducer<?> producer, JitWarmup jit) {
            producer.takeLongestSendNanos(); // a new period for the producer's longest sendAll
            sentAtOpen = producer.sent();
            jitAtOpen = jit.compileMillis();
            uptimeAtOpen = GcPauses.uptimeMs();
            openNanos = System.nanoTime();
        }

        void close(PacedProducer<?> producer, JitWarmup jit) {
            closeNanos = System.nanoTime();
            uptimeAtClose = GcPauses.uptimeMs();
            sentAtClose = producer.sent();
            jitAtClose = jit.compileMillis();
            longestSendNanos = producer.takeLongestSendNanos();
        }

        Latency.Window window(GcPauses gc) {
            double seconds = (closeNanos - openNanos) / 1e9;
            return new Latency.Window(Math.round(seconds * 10) / 10.0,
                    Math.round((sentAtClose - sentAtOpen) / seconds * 10) / 10.0, byId.count(),
                    Latency.Percentiles.of(byId), Latency.Percentiles.of(bySend), Bench.millis(longestSendNanos),
                    jitAtOpen < 0 ? -1 : jitAtClose - jitAtOpen, gc.between(uptimeAtOpen, uptimeAtClose));
        }
    }
}
