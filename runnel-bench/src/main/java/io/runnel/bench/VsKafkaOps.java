// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.testkit.RedisServer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runnel and a Kafka consumer group under a steady flow of orders, each consumer a JVM of its
 * own ({@link VsKafkaConsumer}) as in production (issue 35):
 * <ul>
 *   <li><b>latency</b>: one consumer at {@code --rates} events/s; after {@code --warmup-seconds},
 *       the distribution of send-to-processed latency over {@code --seconds}; {@code --runs}
 *       runs, the systems alternating;
 *   <li><b>kill</b>: two consumers share the partitions at 5,000 events/s; one is SIGKILLed.
 *       Measured: kill → every partition it had is processed again, and the worst gap in any
 *       partition's processing;
 *   <li><b>rebalance</b>: a third consumer joins two; measured: the longest time any
 *       partition processes nothing, against the longest gap of the steady flow before;
 *   <li><b>cold start</b>: every first consumer of a kill or rebalance row, from process
 *       launch to its first event processed.
 * </ul>
 * Both sides run with their defaults unless a row says otherwise: Runnel's settings
 * ({@code lock_expiry}, {@code join_delay} 2 s, sticky assignment), Kafka's consumer
 * (session timeout 45 s, the cooperative-sticky assignor) and broker (initial rebalance delay
 * 3 s). Redis runs with AOF {@code everysec}.
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.VsKafkaOps [--parts latency,kill,rebalance]
 *     [--rates 5000,20000] [--runs 3] [--seconds 15] [--warmup-seconds 5] [--systems kafka,runnel-lettuce,runnel-jedis]
 *     [--latency-systems kafka,runnel-lettuce] [--short-lock-expiry 5] [--out FILE]</pre>
 */
public final class VsKafkaOps {
    static final String USAGE = "usage: VsKafkaOps [--parts latency,kill,rebalance] [--rates 5000,20000] [--runs 3] "
            + "[--seconds 15] [--warmup-seconds 5] [--systems kafka,runnel-lettuce,runnel-jedis] "
            + "[--latency-systems kafka,runnel-lettuce] [--short-lock-expiry 5] [--kafka-classpath FILE] [--out FILE]";
    static final int PARTITIONS = VsKafka.PARTITIONS;
    /** The latency percentiles each consumer reports (100: the maximum). */
    static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};
    private static final int OPS_RATE = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private final RedisServer redis;
    private final KafkaBroker kafka;

    private VsKafkaOps(RedisServer redis, KafkaBroker kafka) {
        this.redis = redis;
        this.kafka = kafka;
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        List<String> parts = cli.list("parts", "latency,kill,rebalance");
        List<String> rates = cli.list("rates", "5000,20000");
        int runs = cli.integer("runs", 3);
        int seconds = cli.integer("seconds", 15);
        int warmup = cli.integer("warmup-seconds", 5);
        List<String> systems = cli.list("systems", "kafka,runnel-lettuce,runnel-jedis");
        List<String> latencySystems = cli.list("latency-systems", "kafka,runnel-lettuce");
        int shortLockExpiry = cli.integer("short-lock-expiry", 5);
        Path classpath = Path.of(cli.string("kafka-classpath", "runnel-bench/target/kafka-broker.classpath"));
        Path out = Path.of(cli.string("out", Bench.defaultOut("vs-kafka-ops").toString()));
        cli.rejectUnknown();

        Map<String, Object> doc = new LinkedHashMap<>(Bench.machine());
        doc.put("redis", "7.x, AOF, appendfsync everysec");
        try (App defaults = App.builder("defaults").environment(Map.of()).build()) {
            doc.put("runnelDefaultLockExpiryMs", defaults.settings().defaultLockExpiry().toMillis());
        }
        doc.put("kafka", "4.4.0 KRaft, one broker-controller, replication factor 1, acks=all, defaults otherwise "
                + "(group.initial.rebalance.delay.ms 3000)");
        List<Map<String, Object>> latency = new ArrayList<>();
        List<Map<String, Object>> kills = new ArrayList<>();
        List<Map<String, Object>> rebalances = new ArrayList<>();
        doc.put("latency", latency);
        doc.put("kill", kills);
        doc.put("rebalance", rebalances);
        try (RedisServer redis = RedisServer.start("--appendonly", "yes", "--appendfsync", "everysec");
             KafkaBroker kafka = KafkaBroker.start(classpath, PARTITIONS, "1g", 3000)) {
            VsKafkaOps ops = new VsKafkaOps(redis, kafka);
            if (parts.contains("latency")) {
                for (String rate : rates) {
                    for (int run = 1; run <= runs; run++) {
                        for (String system : latencySystems) {
                            latency.add(ops.latency(system, Integer.parseInt(rate), run, warmup, seconds));
                            Bench.writeJson(out, doc);
                        }
                    }
                }
            }
            if (parts.contains("kill")) {
                for (String system : systems) {
                    kills.add(ops.kill(system, "defaults", Map.of()));
                    Bench.writeJson(out, doc);
                    if (system.startsWith("runnel")) {
                        // lock_expiry at least twice grace_period, which must exceed read_timeout.
                        kills.add(ops.kill(system, "lock_expiry " + shortLockExpiry + " s", Map.of(
                                "RUNNEL_DEFAULT_LOCK_EXPIRY", Integer.toString(shortLockExpiry),
                                "RUNNEL_DEFAULT_GRACE_PERIOD", Integer.toString(Math.max(1, shortLockExpiry / 2)),
                                "RUNNEL_DEFAULT_READ_TIMEOUT", "500ms")));
                        Bench.writeJson(out, doc);
                    }
                }
            }
            if (parts.contains("rebalance")) {
                for (String system : systems) {
                    rebalances.add(ops.rebalance(system, system.equals("kafka") ? "cooperative-sticky" : "sticky", false));
                    Bench.writeJson(out, doc);
                    if (system.startsWith("runnel")) {
                        rebalances.add(ops.rebalance(system, "static members", true));
                        Bench.writeJson(out, doc);
                    }
                }
            }
        }
        Bench.writeJson(out, doc);
    }

    /** One consumer at a steady rate: the latency distribution once warm. */
    Map<String, Object> latency(String system, int rate, int run, int warmupSeconds, int seconds) throws Exception {
        try (Side side = side(system); Feed feed = side.feed(rate); Child child = side.launch("a", Map.of())) {
            Bench.await(system + " consumer's first event", Duration.ofSeconds(60), () -> child.processed() > 0);
            // Caught up with what was sent while it started (within 100 ms of events), so that the
            // window measures the steady rate and not the drain of a start-up backlog.
            Bench.await(system + " consumer catching up", Duration.ofSeconds(60),
                    () -> child.processed() >= feed.sent() - rate / 10);
            Thread.sleep(warmupSeconds * 1000L); // a measured window, not a synchronisation
            child.ask("R");
            long sent0 = feed.sent();
            long start = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            String[] h = child.ask("H").split(" ");
            double achieved = (feed.sent() - sent0) / ((System.nanoTime() - start) / 1e9);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("system", system);
            row.put("rate", rate);
            row.put("run", run);
            row.put("achievedRate", Math.round(achieved));
            row.put("count", Long.parseLong(h[1]));
            Map<String, Long> percentiles = new LinkedHashMap<>();
            for (int i = 0; i < PERCENTILES.length; i++) {
                percentiles.put(label(PERCENTILES[i]), Long.parseLong(h[i + 2]));
            }
            row.put("latencyMicros", percentiles);
            System.out.printf("latency  %-15s %,6d/s run %d: p50 %.1f ms  p99 %.1f ms  p99.9 %.1f ms  max %.1f ms (%,d events)%n",
                    system, rate, run, percentiles.get("p50") / 1e3, percentiles.get("p99") / 1e3,
                    percentiles.get("p99.9") / 1e3, percentiles.get("max") / 1e3, Long.parseLong(h[1]));
            return row;
        }
    }

    static String label(double percentile) {
        return percentile == 100 ? "max" : "p" + (percentile == Math.rint(percentile)
                ? Integer.toString((int) percentile) : Double.toString(percentile));
    }

    /** Two consumers share the partitions; one is SIGKILLed; how long until its partitions are processed again. */
    Map<String, Object> kill(String system, String variant, Map<String, String> env) throws Exception {
        try (Side side = side(system); Feed feed = side.feed(OPS_RATE); Child a = side.launch("a", env);
             Child b = side.launchAfterFirstEvent(a, "b", env)) {
            awaitSplit(List.of(a, b));
            long steadyFrom = System.currentTimeMillis();
            Thread.sleep(3000); // the steady flow whose gaps are the reference
            long killed = System.currentTimeMillis();
            double steadyGap = maxGap(List.of(a, b), steadyFrom, killed);
            List<Integer> orphaned = a.recentPartitions(killed - 1000);
            a.kill();
            Bench.await("the partitions of the killed " + system + " consumer processed again", Duration.ofMinutes(4),
                    () -> orphaned.stream().allMatch(p -> b.firstAfter(p, killed) > 0));
            long recovered = orphaned.stream().mapToLong(p -> b.firstAfter(p, killed)).max().orElse(killed) - killed;
            Thread.sleep(1000); // so that the worst gap's end is seen
            double worstGap = maxGap(List.of(a, b), killed, System.currentTimeMillis());
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("system", system);
            row.put("variant", variant);
            row.put("settings", env);
            row.put("orphanedPartitions", orphaned.size());
            row.put("killToRecoveredMs", recovered);
            row.put("worstGapMs", worstGap);
            row.put("steadyGapMs", steadyGap);
            row.put("coldStartMs", a.coldStartMillis());
            System.out.printf("kill     %-15s %-22s %2d partitions orphaned: processed again after %,d ms; worst gap %,.0f ms "
                            + "(steady %,.0f ms); cold start %,d ms%n", system, variant, orphaned.size(), recovered, worstGap,
                    steadyGap, a.coldStartMillis());
            return row;
        }
    }

    /** A third consumer joins two: the longest time any partition processes nothing. */
    Map<String, Object> rebalance(String system, String variant, boolean staticMembers) throws Exception {
        try (Side side = side(system); Feed feed = side.feed(OPS_RATE);
             Child a = side.launch("a", memberEnv(staticMembers, "a"));
             Child b = side.launchAfterFirstEvent(a, "b", memberEnv(staticMembers, "b"))) {
            awaitSplit(List.of(a, b));
            long steadyFrom = System.currentTimeMillis();
            Thread.sleep(3000); // the steady flow whose gaps are the reference
            long joined = System.currentTimeMillis();
            double steadyGap = maxGap(List.of(a, b), steadyFrom, joined);
            try (Child c = side.launch("c", memberEnv(staticMembers, "c"))) {
                awaitSplit(List.of(a, b, c));
                long settled = System.currentTimeMillis();
                Thread.sleep(2000); // so that a pause still open at the split is seen whole
                double pause = maxGap(List.of(a, b, c), joined, System.currentTimeMillis());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("system", system);
                row.put("variant", variant);
                row.put("pauseMs", pause);
                row.put("steadyGapMs", steadyGap);
                row.put("launchToSplitMs", settled - joined);
                row.put("launchToFirstEventMs", c.coldStartMillis());
                row.put("coldStartMs", a.coldStartMillis());
                System.out.printf("rebalance %-15s %-20s longest pause %,.0f ms (steady %,.0f ms); third's launch → split %,d ms, "
                                + "→ its first event %,d ms; cold start %,d ms%n", system, variant, pause, steadyGap,
                        settled - joined, c.coldStartMillis(), a.coldStartMillis());
                return row;
            }
        }
    }

    private static Map<String, String> memberEnv(boolean staticMembers, String name) {
        return staticMembers ? Map.of("RUNNEL_MEMBER_ID", "member-" + name) : Map.of();
    }

    /**
     * Waits until the children share the partitions: each processed some in the last second,
     * and every partition was processed in the last second by exactly one of them.
     */
    private static void awaitSplit(List<Child> children) throws InterruptedException {
        Bench.await("the partitions split over " + children.size() + " consumers", Duration.ofMinutes(4), () -> {
            long since = System.currentTimeMillis() - 1000;
            int[] owners = new int[PARTITIONS];
            for (Child c : children) {
                List<Integer> recent = c.recentPartitions(since);
                if (recent.isEmpty()) {
                    return false;
                }
                recent.forEach(p -> owners[p]++);
            }
            for (int n : owners) {
                if (n != 1) {
                    return false;
                }
            }
            return true;
        });
    }

    /**
     * The longest time, in ms, any partition went without an event processed (by any child)
     * within {@code [from, to]}: between two processings, or from the last one to {@code to}.
     */
    static double maxGap(List<Child> children, long from, long to) {
        double worst = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            TreeSet<Long> times = new TreeSet<>();
            for (Child c : children) {
                times.addAll(c.times(p));
            }
            Long previous = times.floor(from);
            for (long t : times.subSet(from, false, to, true)) {
                if (previous != null) {
                    worst = Math.max(worst, t - previous);
                }
                previous = t;
            }
            if (previous != null) {
                worst = Math.max(worst, to - previous);
            }
        }
        return worst;
    }

    private Side side(String system) throws Exception {
        return switch (system) {
            case "kafka" -> new KafkaSide(kafka);
            case "runnel-lettuce" -> new RunnelSide(redis.url(), "lettuce");
            case "runnel-jedis" -> new RunnelSide(redis.url(), "jedis");
            default -> throw new IllegalArgumentException("a system is kafka, runnel-lettuce or runnel-jedis, not " + system);
        };
    }

    /** An order stamped with the producer's clock just before it is sent. */
    static Order liveOrder(long seq) {
        return new Order(seq, "customer-%05d".formatted(seq % 10_000), (seq % 100_000) / 100.0 + 0.99, Instant.now());
    }

    /**
     * A steady flow of orders into one system: its paced producer, and what to close after it
     * (the client, and the check that every send succeeded).
     */
    record Feed(PacedProducer<Order> paced, AutoCloseable after) implements AutoCloseable {
        long sent() {
            return paced.sent();
        }

        @Override
        public void close() throws Exception {
            try {
                paced.close();
            } finally {
                after.close();
            }
        }
    }

    /** One system's fresh topic or app for a row, and how its consumers are launched. */
    abstract static class Side implements AutoCloseable {
        abstract Feed feed(int rate) throws Exception;

        /** The consumer's arguments after the system's name. */
        abstract List<String> consumerArgs();

        abstract String name();

        Map<String, String> consumerEnv() {
            return Map.of();
        }

        Child launch(String name, Map<String, String> env) throws IOException {
            List<String> command = new ArrayList<>(List.of(Bench.javaBinary(), "-Xmx256m", "-cp",
                    System.getProperty("java.class.path"), VsKafkaConsumer.class.getName(), name()));
            command.addAll(consumerArgs());
            Map<String, String> all = new HashMap<>(consumerEnv());
            all.putAll(env);
            return new Child(name, command, all);
        }

        /** Launches a consumer once {@code first} processed its first event, so that its cold start is its own. */
        Child launchAfterFirstEvent(Child first, String name, Map<String, String> env) throws Exception {
            Bench.await("the first consumer's first event", Duration.ofSeconds(60), () -> first.processed() > 0);
            return launch(name, env);
        }

        @Override
        public void close() throws Exception {
        }
    }

    static final class KafkaSide extends Side {
        private final KafkaBroker broker;
        private final String topic = "orders-" + System.nanoTime() % 1_000_000;

        KafkaSide(KafkaBroker broker) throws Exception {
            this.broker = broker;
            broker.createTopic(topic, PARTITIONS);
        }

        @Override
        String name() {
            return "kafka";
        }

        @Override
        List<String> consumerArgs() {
            return List.of(broker.bootstrap(), topic);
        }

        @Override
        Feed feed(int rate) {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"); // as in VsKafka: see RESULTS.md
            KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p);
            AtomicReference<Exception> failure = new AtomicReference<>();
            PacedProducer<Order> paced = new PacedProducer<>(topic, batch -> {
                for (Order order : batch) {
                    try {
                        producer.send(new ProducerRecord<>(topic, order.customer(), JSON.writeValueAsBytes(order)),
                                (meta, error) -> {
                                    if (error != null) {
                                        failure.compareAndSet(null, error);
                                    }
                                });
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }, rate, Duration.ofMillis(1), VsKafkaOps::liveOrder);
            return new Feed(paced, () -> {
                producer.close();
                if (failure.get() != null) {
                    throw new IllegalStateException("a Kafka send failed", failure.get());
                }
            });
        }
    }

    static final class RunnelSide extends Side {
        private final String url;
        private final String transport;
        private final String app = "vsk" + System.nanoTime() % 1_000_000;

        RunnelSide(String url, String transport) {
            this.url = url;
            this.transport = transport;
        }

        @Override
        String name() {
            return "runnel";
        }

        @Override
        List<String> consumerArgs() {
            return List.of(url, app);
        }

        @Override
        Map<String, String> consumerEnv() {
            return Map.of("RUNNEL_TRANSPORT", transport, "RUNNEL_LOG_LEVEL", "warn");
        }

        @Override
        Feed feed(int rate) {
            App producerApp = Bench.app(app, url, transport, PARTITIONS).build();
            Stream<Order> orders = producerApp.stream("orders", Order.class, Order::customer);
            PacedProducer<Order> paced = new PacedProducer<>(orders, rate, Duration.ofMillis(1), VsKafkaOps::liveOrder);
            return new Feed(paced, producerApp);
        }
    }

    /** A {@link VsKafkaConsumer} process and what it has reported. */
    static final class Child implements AutoCloseable {
        private final String name;
        private final Process process;
        private final long launchedMillis;
        private final List<NavigableSet<Long>> times = new ArrayList<>();
        private final AtomicLong processed = new AtomicLong();
        private final BlockingQueue<String> answers = new ArrayBlockingQueue<>(4);
        private final OutputStream stdin;

        Child(String name, List<String> command, Map<String, String> env) throws IOException {
            this.name = name;
            for (int p = 0; p < PARTITIONS; p++) {
                times.add(new TreeSet<>());
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_"));
            builder.environment().putAll(env);
            this.launchedMillis = System.currentTimeMillis();
            this.process = builder.start();
            this.stdin = process.getOutputStream();
            Thread.ofPlatform().daemon().name("consumer-" + name).start(this::read);
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    if (line.startsWith("T ")) {
                        String[] f = line.split(" ");
                        for (int p = 0; p < PARTITIONS; p++) {
                            long t = Long.parseLong(f[p + 2]);
                            if (t > 0) {
                                synchronized (times) {
                                    times.get(p).add(t);
                                }
                            }
                        }
                        processed.set(Long.parseLong(f[1]));
                    } else if (line.startsWith("H ")) {
                        answers.add(line);
                    } else {
                        System.out.println("[" + name + "] " + line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }

        long processed() {
            return processed.get();
        }

        List<Long> times(int partition) {
            synchronized (times) {
                return new ArrayList<>(times.get(partition));
            }
        }

        /** The partitions this consumer processed an event of at or after {@code since}. */
        List<Integer> recentPartitions(long since) {
            List<Integer> recent = new ArrayList<>();
            synchronized (times) {
                for (int p = 0; p < PARTITIONS; p++) {
                    Long last = times.get(p).isEmpty() ? null : times.get(p).last();
                    if (last != null && last >= since) {
                        recent.add(p);
                    }
                }
            }
            return recent;
        }

        /** When this consumer first processed an event of {@code partition} after {@code millis}; 0: not yet. */
        long firstAfter(int partition, long millis) {
            synchronized (times) {
                Long t = times.get(partition).higher(millis);
                return t == null ? 0 : t;
            }
        }

        /** Process launch to its first event processed, in ms. */
        long coldStartMillis() {
            synchronized (times) {
                return times.stream().filter(s -> !s.isEmpty()).mapToLong(NavigableSet::first).min().orElse(launchedMillis)
                        - launchedMillis;
            }
        }

        /** Sends a command; for {@code H}, returns the answer. */
        String ask(String command) throws Exception {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            if (!command.equals("H")) {
                return "";
            }
            String answer = answers.poll(30, TimeUnit.SECONDS);
            if (answer == null) {
                throw new IllegalStateException("consumer " + name + " did not answer " + command);
            }
            return answer;
        }

        /** SIGKILL: nothing runs, nothing is announced. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            try {
                stdin.close(); // the consumer halts when its stdin closes
            } catch (IOException ignored) {
                // already gone
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
