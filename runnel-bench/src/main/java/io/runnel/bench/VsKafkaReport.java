// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Writes the tables of the Kafka comparison (issue 35) from the JSON of {@link VsKafka} (one
 * file per Runnel transport) and {@link VsKafkaOps}: medians of the runs, and the issue's
 * targets against them. The tables replace what lies between the markers
 * {@code <!-- vs-kafka:start -->} and {@code <!-- vs-kafka:end -->} of {@code --into} (RESULTS.md),
 * so the prose around them stays; without the markers, the file is left alone and the tables
 * are printed.
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.VsKafkaReport
 *     [--dir runnel-bench/target/results] [--into runnel-bench/RESULTS.md]</pre>
 */
public final class VsKafkaReport {
    static final String START = "<!-- vs-kafka:start -->";
    static final String END = "<!-- vs-kafka:end -->";
    private final StringBuilder md = new StringBuilder();

    private VsKafkaReport() {
    }

    public static void main(String[] args) throws IOException {
        Cli cli = Cli.parse(args, "usage: VsKafkaReport [--dir DIR] [--into FILE]");
        Path dir = Path.of(cli.string("dir", "runnel-bench/target/results"));
        Path into = Path.of(cli.string("into", "runnel-bench/RESULTS.md"));
        cli.rejectUnknown();
        VsKafkaReport report = new VsKafkaReport();
        List<JsonNode> drains = new ArrayList<>();
        for (String transport : List.of("lettuce", "jedis")) {
            Path f = dir.resolve("vs-kafka-" + transport + "-results.json");
            if (Files.exists(f)) {
                drains.add(Bench.JSON.readTree(f.toFile()));
            }
        }
        Path ops = dir.resolve("vs-kafka-ops-results.json");
        report.write(drains, Files.exists(ops) ? Bench.JSON.readTree(ops.toFile()) : null);
        String text = Files.exists(into) ? Files.readString(into) : "";
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) {
            System.out.print(report.md);
            System.out.println("(no " + START + " … " + END + " in " + into + ": printed only)");
            return;
        }
        Files.writeString(into, text.substring(0, start + START.length()) + "\n" + report.md + text.substring(end));
        System.out.println("wrote the tables into " + into.toAbsolutePath());
    }

    private VsKafkaReport line(String format, Object... args) {
        md.append(args.length == 0 ? format : format.formatted(args)).append('\n');
        return this;
    }

    private void write(List<JsonNode> drains, JsonNode ops) {
        Map<String, Double> totalCpu = new LinkedHashMap<>();
        for (JsonNode d : drains) {
            line("Backlog of %,d orders, Runnel on %s, %s (medians of the rounds):", d.path("events").asInt(),
                    d.path("transport").asText(), d.path("date").asText());
            line("");
            line("| row | rounds | send events/s | drain events/s | µs CPU/event, client | + server | = total |");
            line("|---|---:|---:|---:|---:|---:|---:|");
            Map<String, List<JsonNode>> bySystem = group(d.path("rows"), "system");
            for (Map.Entry<String, List<JsonNode>> e : bySystem.entrySet()) {
                List<JsonNode> rows = e.getValue();
                double client = median(rows, r -> r.path("clientCpuMicrosPerEvent").asDouble());
                double server = median(rows, r -> r.path("serverCpuMicrosPerEvent").asDouble());
                String name = e.getKey().equals("kafka") || e.getKey().equals("kafka-streams-eos")
                        ? e.getKey() + " (alternating with runnel-" + d.path("transport").asText() + ")" : e.getKey();
                totalCpu.put(name, median(rows, r -> r.path("clientCpuMicrosPerEvent").asDouble()
                        + r.path("serverCpuMicrosPerEvent").asDouble()));
                line("| %s | %d | %,.0f | %,.0f | %.2f | %.2f | %.2f |", name, rows.size(),
                        median(rows, r -> r.path("sendPerSecond").asDouble()),
                        median(rows, r -> r.path("drainPerSecond").asDouble()), client, server, totalCpu.get(name));
            }
            line("");
        }
        if (ops == null) {
            return;
        }
        line("Latency, one consumer at a steady rate, send to processed (%s; medians of the runs, ms):",
                ops.path("date").asText());
        line("");
        line("| system | events/s | runs | p50 | p90 | p99 | p99.9 | p99.99 | max |");
        line("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Map<String, List<JsonNode>> latency = new LinkedHashMap<>();
        for (JsonNode r : ops.path("latency")) {
            latency.computeIfAbsent(r.path("system").asText() + "@" + r.path("rate").asInt(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Double> p99 = new LinkedHashMap<>();
        for (Map.Entry<String, List<JsonNode>> e : latency.entrySet()) {
            List<JsonNode> rows = e.getValue();
            String[] key = e.getKey().split("@");
            StringBuilder cells = new StringBuilder();
            for (String p : List.of("p50", "p90", "p99", "p99.9", "p99.99", "max")) {
                double ms = median(rows, r -> r.path("latencyMicros").path(p).asDouble()) / 1000;
                cells.append(" | ").append("%.1f".formatted(ms));
                if (p.equals("p99")) {
                    p99.put(e.getKey(), ms);
                }
            }
            line("| %s | %,d | %d%s |", key[0], Integer.parseInt(key[1]), rows.size(), cells);
        }
        line("");
        line("Kill-to-recovery: two consumers at 5,000 events/s, one SIGKILLed (ms):");
        line("");
        line("| system | settings | partitions orphaned | kill → all processed again | worst gap of a partition | "
                + "steady flow's longest gap |");
        line("|---|---|---:|---:|---:|---:|");
        for (JsonNode r : ops.path("kill")) {
            line("| %s | %s | %d | %,d | %,.0f | %,.0f |", r.path("system").asText(), r.path("variant").asText(),
                    r.path("orphanedPartitions").asInt(), r.path("killToRecoveredMs").asLong(),
                    r.path("worstGapMs").asDouble(), r.path("steadyGapMs").asDouble());
        }
        line("");
        line("Rebalance pause: a third consumer joins two at 5,000 events/s (ms):");
        line("");
        line("| system | assignment | longest pause of any partition | steady flow's longest gap | "
                + "third's launch → partitions split over three |");
        line("|---|---|---:|---:|---:|");
        for (JsonNode r : ops.path("rebalance")) {
            line("| %s | %s | %,.0f | %,.0f | %,d |", r.path("system").asText(), r.path("variant").asText(),
                    r.path("pauseMs").asDouble(), r.path("steadyGapMs").asDouble(), r.path("launchToSplitMs").asLong());
        }
        line("");
        line("Cold start: a consumer process's launch to its first event processed, events waiting (ms; each "
                + "includes its join delay, Runnel `join_delay` 2 s and Kafka `group.initial.rebalance.delay.ms` 3 s):");
        line("");
        line("| system | launches | median | min | max |");
        line("|---|---:|---:|---:|---:|");
        Map<String, List<JsonNode>> cold = new LinkedHashMap<>();
        for (String part : List.of("kill", "rebalance")) {
            for (JsonNode r : ops.path(part)) {
                cold.computeIfAbsent(r.path("system").asText(), k -> new ArrayList<>()).add(r);
            }
        }
        for (Map.Entry<String, List<JsonNode>> e : cold.entrySet()) {
            List<JsonNode> rows = e.getValue();
            line("| %s | %d | %,.0f | %,.0f | %,.0f |", e.getKey(), rows.size(), median(rows, r -> r.path("coldStartMs").asDouble()),
                    rows.stream().mapToDouble(r -> r.path("coldStartMs").asDouble()).min().orElse(0),
                    rows.stream().mapToDouble(r -> r.path("coldStartMs").asDouble()).max().orElse(0));
        }
        line("");
        targets(totalCpu, p99, ops);
    }

    private void targets(Map<String, Double> totalCpu, Map<String, Double> p99, JsonNode ops) {
        line("Issue 35's targets in this run:");
        line("");
        line("| target | measured | met |");
        line("|---|---|---|");
        for (String transport : List.of("lettuce", "jedis")) {
            Double runnel = totalCpu.get("runnel-" + transport);
            Double kafka = totalCpu.get("kafka (alternating with runnel-" + transport + ")");
            if (runnel != null && kafka != null) {
                line("| CPU per event, client and server, draining: Runnel (%s) at most Kafka's | %.2f vs %.2f µs: %.2f× | %s |",
                        transport, runnel, kafka, runnel / kafka, runnel <= kafka ? "yes" : "no");
            }
        }
        for (String system : List.of("runnel-lettuce", "runnel-jedis")) {
            Double runnel = p99.get(system + "@20000");
            Double kafka = p99.get("kafka@20000");
            if (runnel != null && kafka != null) {
                line("| p99 at 20,000 events/s: %s at most Kafka's | %.1f vs %.1f ms | %s |", system, runnel, kafka,
                        runnel <= kafka ? "yes" : "no");
            }
        }
        long kafkaKill = (long) kafkaValue(ops.path("kill"), "killToRecoveredMs");
        for (JsonNode r : ops.path("kill")) {
            if (r.path("system").asText().startsWith("runnel") && r.path("variant").asText().equals("defaults")) {
                long ms = r.path("killToRecoveredMs").asLong();
                long bound = ops.path("runnelDefaultLockExpiryMs").asLong() + 1000;
                line("| kill-to-recovery with the defaults, %s: at most lock_expiry + 1 s (%,d ms) and below Kafka's "
                        + "(%,d ms) | %,d ms | %s |", r.path("system").asText(), bound, kafkaKill, ms,
                        ms <= bound && (kafkaKill < 0 || ms < kafkaKill) ? "yes" : "no");
            }
        }
        double kafkaPause = kafkaValue(ops.path("rebalance"), "pauseMs");
        for (JsonNode r : ops.path("rebalance")) {
            if (r.path("system").asText().startsWith("runnel") && r.path("variant").asText().equals("sticky")) {
                double ms = r.path("pauseMs").asDouble();
                line("| rebalance pause, sticky, %s: at most Kafka's cooperative-sticky pause (%,.0f ms) | %,.0f ms | %s |",
                        r.path("system").asText(), kafkaPause, ms, ms <= kafkaPause ? "yes" : "no");
            }
        }
        line("");
    }

    /** {@code field} of the Kafka row among {@code rows} (the last, if several); -1 when there is none. */
    private static double kafkaValue(JsonNode rows, String field) {
        double value = -1;
        for (JsonNode r : rows) {
            if (r.path("system").asText().equals("kafka")) {
                value = r.path(field).asDouble();
            }
        }
        return value;
    }

    private static Map<String, List<JsonNode>> group(JsonNode rows, String field) {
        Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            groups.computeIfAbsent(r.path(field).asText(), k -> new ArrayList<>()).add(r);
        }
        return groups;
    }

    private static double median(List<JsonNode> rows, ToDoubleFunction<JsonNode> value) {
        double[] v = rows.stream().mapToDouble(value).sorted().toArray();
        return v.length == 0 ? 0 : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
