// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.engine.App;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counting processor of issue 33 draining a preloaded backlog: per order, it adds 1 to the
 * customer's count in keyed state and sends the running count to a second stream; under
 * {@code exactly_once} (both staged, committed with the ack) and {@code at_least_once} (the
 * send goes out at once, the state change commits with the ack), alternating, on one Redis.
 * Rows report events/s, the JVM's and redis-server's CPU per event, and the Redis commands
 * per event ({@code INFO stats} {@code total_commands_processed}; a script counts with the
 * commands it runs).
 *
 * <p>With {@code --commit-replicas N} (and a {@code --redis-url} whose server has replicas), an
 * {@code exactly_once} row whose commits wait for N replicas ({@code default_commit_replicas})
 * alternates with the others.
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.ExactlyOnce [--events N] [--customers K]
 *     [--in-flight 1,8] [--repeats R] [--transport lettuce|jedis] [--redis-url URL] [--commit-replicas N]
 *     [--out FILE]</pre>
 */
public final class ExactlyOnce {
    static final String USAGE = "usage: ExactlyOnce [--events N] [--customers K] [--in-flight 1,8] [--repeats R] "
            + "[--transport lettuce|jedis] [--redis-url URL] [--commit-replicas N] [--out FILE]";
    private static final int PARTITIONS = 16;

    /** What the counting processor sends. */
    public record CustomerCount(String customer, long count) {
    }

    /** One row: which guarantee, how many deliveries at once per partition, how many replicas a commit waits for. */
    record Row(String name, ProcessingGuarantee guarantee, int inFlight, int commitReplicas) {
        Row(String name, ProcessingGuarantee guarantee, int inFlight) {
            this(name, guarantee, inFlight, 0);
        }
    }

    /** What a row measured. */
    record Result(String row, String guarantee, int inFlight, int commitReplicas, long events, double seconds, double rate,
                  double cpuMicrosPerEvent, double redisCpuMicrosPerEvent, double redisCommandsPerEvent) {
    }

    private ExactlyOnce() {
    }

    public static void main(String[] args) throws Exception {
        Cli cli = Cli.parse(args, USAGE);
        int events = cli.integer("events", 200_000);
        int customers = cli.integer("customers", 1000);
        List<Integer> inFlights = cli.list("in-flight", "1,8").stream().map(Integer::parseInt).toList();
        int repeats = cli.integer("repeats", 3);
        String transport = cli.string("transport", "lettuce");
        String url = cli.string("redis-url", null);
        int commitReplicas = cli.integer("commit-replicas", 0);
        Path out = Path.of(cli.string("out", Bench.defaultOut("exactly-once-" + transport).toString()));
        cli.rejectUnknown();

        List<Row> rows = new ArrayList<>();
        rows.add(new Row("warmup-eos", ProcessingGuarantee.EXACTLY_ONCE, inFlights.get(0)));
        rows.add(new Row("warmup-alos", ProcessingGuarantee.AT_LEAST_ONCE, inFlights.get(0)));
        for (int r = 1; r <= repeats; r++) {
            for (int n : inFlights) {
                // Alternating, so that the machine's drift falls on both alike.
                rows.add(new Row("alos-" + n + "-r" + r, ProcessingGuarantee.AT_LEAST_ONCE, n));
                rows.add(new Row("eos-" + n + "-r" + r, ProcessingGuarantee.EXACTLY_ONCE, n));
                if (commitReplicas > 0) {
                    rows.add(new Row("eoswait-" + n + "-r" + r, ProcessingGuarantee.EXACTLY_ONCE, n, commitReplicas));
                }
            }
        }

        List<Result> results = new ArrayList<>();
        try (Bench.Redis redis = Bench.Redis.startOrUse(url);
             Servers info = Servers.of(redis.url())) {
            for (Row row : rows) {
                // An app of its own per row: fresh state, fresh output stream, the same backlog.
                App app = Bench.app("eos-" + row.name() + "-" + System.nanoTime() % 100_000, redis.url(), transport,
                        PARTITIONS).build();
                Stream<Order> orders = app.stream("orders", Order.class, Order::customer,
                        o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
                Stream<CustomerCount> counts = app.stream("counts", CustomerCount.class, CustomerCount::customer,
                        o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
                AtomicLong done = new AtomicLong();
                app.processor(orders, "counter", o -> o.processingGuarantee(row.guarantee()).maxInFlight(row.inFlight())
                                .commitReplicas(row.commitReplicas()),
                        ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                            long n = context.state("counts", Long.class).merge(order.customer(), 1L, Long::sum);
                            context.send(counts, new CustomerCount(order.customer(), n));
                            done.incrementAndGet();
                        }));
                List<Order> batch = new ArrayList<>(1000);
                for (long i = 0; i < events; i++) {
                    Order sample = Order.sample(i);
                    batch.add(new Order(sample.id(), "customer-" + (i % customers), sample.amount(), sample.at()));
                    if (batch.size() == 1000) {
                        orders.sendAll(batch);
                        batch.clear();
                    }
                }
                if (!batch.isEmpty()) {
                    orders.sendAll(batch);
                }
                Result r = run(app, row, events, done, counts, info);
                app.close();
                if (row.name().startsWith("warmup-")) {
                    System.out.printf("%-14s %,10.0f events/s (warm-up)%n", row.name(), r.rate());
                    continue;
                }
                results.add(r);
                System.out.printf("%-14s %-13s in-flight %2d  %,9.0f events/s  %6.2f µs CPU/event (+ redis %5.2f)  "
                                + "%5.2f Redis commands/event  (%,d events in %.1f s)%n", r.row(), r.guarantee(),
                        r.inFlight(), r.rate(), r.cpuMicrosPerEvent(), r.redisCpuMicrosPerEvent(),
                        r.redisCommandsPerEvent(), r.events(), r.seconds());
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>(Bench.machine());
        doc.put("transport", transport);
        doc.put("partitions", PARTITIONS);
        doc.put("customers", customers);
        doc.put("rows", results);
        Bench.writeJson(out, doc);
    }

    /** Runs the row's worker until every event was processed and its commit done (the sends all there). */
    private static Result run(App app, Row row, long events, AtomicLong done, Stream<CustomerCount> counts,
                              Servers info) throws Exception {
        System.gc();
        long cpu0 = Bench.processCpuNanos();
        double redis0 = info.cpuSeconds();
        long commands0 = info.commands();
        long start = System.nanoTime();
        Worker worker = app.worker("counter").start();
        long deadline = start + Duration.ofMinutes(5).toNanos();
        // Done when the last count is out: under exactly_once that is when its commit is done.
        while (info.length(counts) < events) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(row.name() + ": only " + done.get() + " events in 5 minutes");
            }
            Thread.sleep(20); // polling the output streams' length: a measurement's end, not a synchronisation
        }
        long end = System.nanoTime();
        long cpu = Bench.processCpuNanos() - cpu0;
        double redisCpu = info.cpuSeconds() - redis0;
        long commands = info.commands() - commands0;
        worker.stop();
        double seconds = (end - start) / 1e9;
        return new Result(row.name(), row.guarantee().name().toLowerCase(java.util.Locale.ROOT), row.inFlight(),
                row.commitReplicas(), events,
                seconds, events / seconds, cpu / 1e3 / events, redisCpu * 1e6 / events, (double) commands / events);
    }

    /**
     * The Redis server, or every master of a Redis Cluster ({@code redis-cluster://} URL): a
     * stream's length, and the servers' CPU and commands summed.
     */
    private static final class Servers implements AutoCloseable {
        private final List<AutoCloseable> closing = new ArrayList<>();
        private final List<StatefulRedisConnection<String, String>> nodes = new ArrayList<>();
        private final java.util.function.ToLongFunction<String> xlen;

        private Servers(java.util.function.ToLongFunction<String> xlen) {
            this.xlen = xlen;
        }

        static Servers of(String url) {
            if (!url.startsWith("redis-cluster://")) {
                RedisClient client = RedisClient.create(url);
                StatefulRedisConnection<String, String> c = client.connect();
                Servers s = new Servers(key -> c.sync().xlen(key));
                s.nodes.add(c);
                s.closing.add(c);
                s.closing.add(client::shutdown);
                return s;
            }
            io.lettuce.core.cluster.RedisClusterClient cluster = io.lettuce.core.cluster.RedisClusterClient.create(
                    "redis://" + url.substring("redis-cluster://".length()));
            var routed = cluster.connect();
            Servers s = new Servers(key -> routed.sync().xlen(key));
            s.closing.add(routed);
            s.closing.add(cluster::shutdown);
            for (var node : cluster.getPartitions()) {
                if (node.is(io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag.UPSTREAM)) {
                    RedisClient client = RedisClient.create(node.getUri());
                    StatefulRedisConnection<String, String> c = client.connect();
                    s.nodes.add(c);
                    s.closing.add(c);
                    s.closing.add(client::shutdown);
                }
            }
            return s;
        }

        long length(Stream<?> stream) {
            long n = 0;
            for (int p = 0; p < stream.partitionCount(); p++) {
                n += xlen.applyAsLong(stream.partitionKey(p));
            }
            return n;
        }

        double cpuSeconds() {
            return nodes.stream().mapToDouble(Bench::redisCpuSeconds).sum();
        }

        long commands() {
            long n = 0;
            for (StatefulRedisConnection<String, String> node : nodes) {
                for (String line : node.sync().info("stats").split("\r?\n")) {
                    if (line.startsWith("total_commands_processed:")) {
                        n += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                    }
                }
            }
            return n;
        }

        @Override
        public void close() throws Exception {
            for (AutoCloseable c : closing) {
                c.close();
            }
        }
    }
}
