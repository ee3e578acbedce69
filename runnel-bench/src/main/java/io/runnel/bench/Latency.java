// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end latency at a fixed offered load: a producer thread sends {@code --rate}
 * events/s with {@code Stream.sendAll} in small batches every {@code --tick}, while one Runnel
 * worker in the same JVM consumes them; the processor deserializes every record and records
 * its latency.
 *
 * <p>Every measurement — each of {@code --runs}, each set of {@code --jvm-opts}, each
 * transport — runs in a JVM of its own ({@link LatencyChild}) against a Redis of its own
 * (unless {@code --redis-url}): the runs are independent, and no transport runs on code
 * another one has already compiled. Each child reports two windows: the first
 * {@code --cold-seconds} after its producer starts (a cold JVM, no warm-up) and, unless
 * {@code --mode cold}, {@code --seconds} once the JIT has settled; for each, the GC pauses
 * that fell into it.
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
    static final String USAGE = """
            usage: Latency [--rate EVENTS_PER_S] [--seconds S] [--cold-seconds S] [--mode both|cold] [--runs N]
                           [--transport lettuce,jedis,memory] [--jvm-opts "OPTIONS[;OPTIONS...]"]
                           [--warmup-seconds S] [--warmup-max-seconds S] [--tick 1ms] [--redis-url URL] [--out FILE]
                           [--hop none|exactly_once|at_least_once]
              --hop: before the measuring processor, a processor with a context forwards each event to the
                     stream it reads, under that guarantee: the latency then spans the hop and its commit
              --jvm-opts: the child JVMs' options, split at spaces; ';' separates sets that are each measured
                          (an empty set or 'default': no options); '{transport}' is replaced by the transport""";

    /** What every child measures, from the options it shares with the parent. */
    record Plan(int rate, Duration measure, Duration cold, Duration warmup, Duration warmupMax, Duration tick,
                boolean steady, String hop) {
        static Plan from(Cli cli) {
            String mode = cli.string("mode", "both");
            if (!mode.equals("both") && !mode.equals("cold")) {
                throw new IllegalArgumentException("--mode is both or cold, not " + mode + "\n" + USAGE);
            }
            return new Plan(cli.integer("rate", 20_000), Duration.ofSeconds(cli.integer("seconds", 30)),
                    Duration.ofSeconds(cli.integer("cold-seconds", 30)), Duration.ofSeconds(cli.integer("warmup-seconds", 5)),
                    Duration.ofSeconds(cli.integer("warmup-max-seconds", 120)), cli.duration("tick", Duration.ofMillis(1)),
                    mode.equals("both"), hop(cli.string("hop", "none")));
        }

        private static String hop(String hop) {
            if (!List.of("none", "exactly_once", "at_least_once").contains(hop)) {
                throw new IllegalArgumentException("--hop is none, exactly_once or at_least_once, not " + hop + "\n" + USAGE);
            }
            return hop;
        }

        /** The options that make a child follow this plan. */
        List<String> args() {
            return List.of("--rate", Integer.toString(rate), "--seconds", Long.toString(measure.toSeconds()),
                    "--cold-seconds", Long.toString(cold.toSeconds()), "--warmup-seconds", Long.toString(warmup.toSeconds()),
                    "--warmup-max-seconds", Long.toString(warmupMax.toSeconds()), "--tick", tick.toMillis() + "ms",
                    "--mode", steady ? "both" : "cold", "--hop", hop);
        }

        /** How long a child may take before it counts as hung: its windows, plus start, drain and cache writing. */
        Duration patience() {
            return cold.plus(steady ? warmupMax.plus(measure) : Duration.ZERO).plus(Duration.ofMinutes(5));
        }
    }

    /**
     * One child's measurement.
     *
     * @param jvmOptions   the child's JVM options as given (before {@code {transport}} was replaced)
     * @param collectors   the GC's MXBean names in the child, e.g. {@code G1 Young Generation}
     * @param cold         the first {@code --cold-seconds} after the producer started
     * @param steady       {@code --seconds} after the warm-up; null with {@code --mode cold}
     * @param warmupSeconds the warm-up's length (cold window included), 0 with {@code --mode cold}
     * @param jitMillisDuringWarmup compiler time (all compiler threads) during the warm-up, -1 when unknown or no warm-up
     */
    record Result(int run, String transport, String jvmOptions, List<String> collectors, long maxHeapMiB,
                  int offeredRate, Startup startup, Window cold, Window steady, double warmupSeconds,
                  long jitMillisDuringWarmup, long sentTotal) {
    }

    /**
     * Milliseconds from the parent's launching the child JVM to: its {@code main}; its worker
     * owning every partition (app built, connected, worker started; the producer starts
     * then); the first event processed.
     */
    record Startup(long mainMs, long ownedMs, long firstEventMs) {
    }

    /**
     * One measured window.
     *
     * @param achievedRate events sent during the window / its length
     * @param events       events received during the window (the histograms' count)
     * @param longestSendMs the producer's longest single {@code sendAll} in the window
     * @param jitMillis    compiler time during the window, -1 when the JVM does not report it
     * @param gcPauses     the stop-the-world GC pauses that started in the window
     */
    record Window(double seconds, double achievedRate, long events, Percentiles idLatency, Percentiles sendLatency,
                  double longestSendMs, long jitMillis, GcPauses.Summary gcPauses) {
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

    private Latency() {
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        Plan plan = Plan.from(cli);
        int runs = cli.integer("runs", 1);
        List<String> transports = cli.list("transport", "lettuce,jedis");
        List<String> optionSets = optionSets(cli.string("jvm-opts", ""));
        String url = cli.string("redis-url", null);
        Path out = Path.of(cli.string("out", Bench.defaultOut("latency").toString()));
        cli.rejectUnknown();

        List<Result> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            for (String options : optionSets) {
                for (String transport : transports) {
                    results.add(runChild(plan, run, transport, options, url));
                }
            }
        }
        print(plan, results);
        Map<String, Object> doc = Bench.machine();
        doc.put("maxHeapMiB", heapRange(results)); // the children's heap, not this JVM's
        doc.put("offeredRate", plan.rate());
        doc.put("mode", plan.steady() ? "both" : "cold");
        doc.put("hop", plan.hop());
        doc.put("runs", runs);
        doc.put("jvmOptionSets", optionSets);
        doc.put("seconds", plan.measure().toSeconds());
        doc.put("coldSeconds", plan.cold().toSeconds());
        doc.put("warmupSeconds", plan.warmup().toSeconds());
        doc.put("warmupMaxSeconds", plan.warmupMax().toSeconds());
        doc.put("jitQuietShare", JitWarmup.QUIET_SHARE);
        doc.put("jitQuietWindowSeconds", JitWarmup.WINDOW.toSeconds());
        doc.put("tickMillis", plan.tick().toMillis());
        doc.put("unit", "ms");
        doc.put("results", results);
        Bench.writeJson(out, doc);
        System.exit(0);
    }

    /** The children's maximum heap: one value, or the range when their JVM options differ. */
    private static String heapRange(List<Result> results) {
        LongSummaryStatistics heap = results.stream().mapToLong(Result::maxHeapMiB).summaryStatistics();
        return heap.getMin() == heap.getMax() ? Long.toString(heap.getMax()) : heap.getMin() + "–" + heap.getMax();
    }

    /** {@code "a b; c"} → {@code ["a b", "c"]}; an empty or {@code default} set means the JVM's defaults. */
    static List<String> optionSets(String value) {
        List<String> sets = new ArrayList<>();
        for (String s : value.split(";", -1)) {
            sets.add(s.isBlank() || s.trim().equals("default") ? "" : s.trim().replaceAll("\\s+", " "));
        }
        return sets;
    }

    /** Measures one transport in a fresh JVM (and a fresh Redis, unless one was given) and returns its result. */
    private static Result runChild(Plan plan, int run, String transport, String jvmOptions, String url) throws Exception {
        String label = "run %d, %s%s".formatted(run, transport, jvmOptions.isEmpty() ? "" : ", " + jvmOptions);
        System.out.println();
        System.out.println("== " + label);
        Path resultFile = Files.createTempFile("latency-child-", ".json");
        try (Bench.Redis redis = transport.equals("memory") ? new Bench.Redis(null, null) : Bench.Redis.startOrUse(url)) {
            List<String> command = new ArrayList<>();
            command.add(Bench.javaBinary());
            if (!jvmOptions.isEmpty()) {
                command.addAll(Arrays.asList(jvmOptions.replace("{transport}", transport).split(" ")));
            }
            command.addAll(List.of("-cp", absoluteClasspath(), LatencyChild.class.getName()));
            command.addAll(plan.args());
            command.addAll(List.of("--transport", transport, "--run", Integer.toString(run), "--jvm-options", jvmOptions,
                    "--out", resultFile.toString()));
            if (redis.url() != null) {
                command.addAll(List.of("--redis-url", redis.url()));
            }
            command.addAll(List.of("--launched-at", Long.toString(System.currentTimeMillis())));
            // Standard input stays a pipe: the child halts when it closes, so it cannot outlive this JVM.
            Process child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                if (!child.waitFor(plan.patience().toSeconds(), TimeUnit.SECONDS)) {
                    throw new IllegalStateException(label + ": the child JVM did not finish within " + plan.patience());
                }
                if (child.exitValue() != 0) {
                    throw new IllegalStateException(label + ": the child JVM exited with " + child.exitValue());
                }
            } finally {
                child.destroyForcibly();
            }
            return Bench.JSON.readValue(resultFile.toFile(), Result.class);
        } finally {
            Files.deleteIfExists(resultFile);
        }
    }

    /**
     * This JVM's classpath with absolute entries: an AOT cache or CDS archive records the
     * classpath it was made with, so a child must see the same one from any directory.
     */
    private static String absoluteClasspath() {
        List<String> entries = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(Path.of(e).toAbsolutePath().normalize().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void print(Plan plan, List<Result> results) {
        System.out.println();
        System.out.printf("offered %,d events/s, sendAll every %d ms; cold = the first %d s%s%n", plan.rate(),
                plan.tick().toMillis(), plan.cold().toSeconds(), plan.steady() ? "; steady = %d s after a warm-up of at "
                        .formatted(plan.measure().toSeconds()) + "least %d s, until the JIT was quiet"
                        .formatted(Math.max(plan.warmup().toSeconds(), plan.cold().toSeconds())) : "");
        System.out.printf("%-3s %-9s %-11s %11s %8s %8s %8s %8s %8s %15s %7s  %s%n", "run", "transport", "window",
                "achieved/s", "p50 ms", "p90 ms", "p99 ms", "p999 ms", "max ms", "GC n/sum/max ms", "JIT ms", "JVM options");
        for (Result r : results) {
            print(r, "cold id", r.cold(), r.cold().idLatency());
            if (r.steady() != null) {
                print(r, "steady id", r.steady(), r.steady().idLatency());
                print(r, "steady send", r.steady(), r.steady().sendLatency());
            }
        }
        System.out.println();
        System.out.printf("%-3s %-9s %14s %14s %14s  %s%n", "run", "transport", "→ main ms", "→ owned ms",
                "→ 1st event ms", "JVM options (times from launching the JVM)");
        for (Result r : results) {
            System.out.printf("%-3d %-9s %,14d %,14d %,14d  %s%n", r.run(), r.transport(), r.startup().mainMs(),
                    r.startup().ownedMs(), r.startup().firstEventMs(), r.jvmOptions());
        }
    }

    private static void print(Result r, String window, Window w, Percentiles p) {
        GcPauses.Summary gc = w.gcPauses();
        System.out.printf("%-3d %-9s %-11s %,11.0f %8.3f %8.3f %8.3f %8.3f %8.3f %15s %7d  %s%n", r.run(), r.transport(),
                window, w.achievedRate(), p.p50(), p.p90(), p.p99(), p.p999(), p.max(),
                "%d/%d/%d".formatted(gc.count(), gc.totalMs(), gc.maxMs()), w.jitMillis(), r.jvmOptions());
    }

    static long wallMicros(Instant t) {
        return t.getEpochSecond() * 1_000_000 + t.getNano() / 1000;
    }

    static long idMillis(String id) {
        int dash = id.indexOf('-');
        return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
    }
}
