// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * One Apache Kafka broker in KRaft mode (broker and controller in one process), run as a child
 * JVM from Maven Central's {@code kafka_2.13} with a temporary log directory: formatted, started,
 * and deleted again on {@link #close()}. Its classpath is the file {@code runnel-bench}'s build
 * writes ({@code target/kafka-broker.classpath}).
 *
 * <p>Settings are Kafka's defaults except what one broker needs (replication factor 1 for its
 * internal topics) and, when asked, no initial rebalance delay: in particular no fsync per message
 * ({@code log.flush.interval.messages} unset), the OS flushing the page cache, as Kafka
 * recommends with replication.
 */
final class KafkaBroker implements AutoCloseable {
    private final Process process;
    private final Path dir;
    private final int port;

    private KafkaBroker(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /**
     * Formats and starts a broker whose topics get {@code partitions} partitions by default.
     *
     * @param classpath the file listing the broker's classpath
     * @param heap      the broker JVM's -Xmx, such as {@code 1g}
     */
    static KafkaBroker start(Path classpath, int partitions, String heap) throws IOException, InterruptedException {
        return start(classpath, partitions, heap, 0);
    }

    /**
     * Formats and starts a broker whose topics get {@code partitions} partitions by default, and
     * whose new consumer groups wait {@code initialRebalanceDelayMs} for more members before
     * their first assignment (Kafka's default is 3,000; a drain of one consumer does not want it).
     */
    static KafkaBroker start(Path classpath, int partitions, String heap, int initialRebalanceDelayMs)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(classpath)) {
            throw new IllegalStateException("no Kafka broker classpath at " + classpath.toAbsolutePath()
                    + ": build runnel-bench with `mvn -pl runnel-bench -am package -DskipTests`, or give --kafka-classpath");
        }
        String cp = Files.readString(classpath).trim();
        Path dir = Files.createTempDirectory("runnel-bench-kafka");
        int port = freePort();
        int controller = freePort();
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=" + partitions,
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "group.initial.rebalance.delay.ms=" + initialRebalanceDelayMs,
                "") );
        // The bench's own classes share the classpath: quiet their Logback, as a broker logs at INFO and less.
        Path logback = dir.resolve("logback.xml");
        Files.writeString(logback, "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d %-5level %logger{30} - %msg%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>");
        String java = ProcessHandle.current().info().command().orElse("java");
        String quiet = "-Dlogback.configurationFile=" + logback;
        String clusterId = run(List.of(java, quiet, "-cp", cp, "kafka.tools.StorageTool", "random-uuid"), dir).strip();
        String[] lines = clusterId.split("\\R");
        run(List.of(java, quiet, "-cp", cp, "kafka.tools.StorageTool", "format", "-t", lines[lines.length - 1].strip(),
                "-c", properties.toString(), "--standalone"), dir);
        Process broker = new ProcessBuilder(java, "-Xmx" + heap, "-Xms" + heap, "-XX:+UseG1GC",
                "-Dlogback.configurationFile=" + logback, "-cp", cp, "kafka.Kafka", properties.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("broker.log").toFile()).start();
        KafkaBroker started = new KafkaBroker(broker, dir, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!listening(port)) {
            if (!broker.isAlive() || System.nanoTime() > deadline) {
                started.close();
                throw new IllegalStateException("the Kafka broker did not start; see its log in " + dir);
            }
            Thread.sleep(50); // polling a port: the broker tells nothing else when it is ready
        }
        return started;
    }

    private static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        Path out = Files.createTempFile(dir, "tool", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command.subList(4, command.size())) + " failed: "
                    + Files.readString(out));
        }
        List<String> useful = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            if (!line.startsWith("SLF4J") && !line.startsWith("WARNING")) {
                useful.add(line);
            }
        }
        return String.join("\n", useful);
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * Creates a topic of {@code partitions} partitions, replication factor 1, and returns once
     * every partition has its leader, so that no send meets a partition without one
     * ({@code NOT_LEADER_OR_FOLLOWER}, and retries) in a measured time.
     */
    void createTopic(String topic, int partitions) throws Exception {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
            Bench.await("leaders of " + topic, Duration.ofSeconds(30), () -> {
                try {
                    return a.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                } catch (Exception e) {
                    return false;
                }
            });
        }
    }

    /** Where clients connect. */
    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** The broker JVM's CPU time so far (user and system), from /proc, in seconds. */
    double cpuSeconds() {
        return ProcStat.cpuSeconds(process.pid());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            // Kept for a look after the run: the temporary directory goes.
            Files.copy(dir.resolve("broker.log"), Path.of(System.getProperty("java.io.tmpdir"), "runnel-bench-kafka.log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // no log to keep
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
