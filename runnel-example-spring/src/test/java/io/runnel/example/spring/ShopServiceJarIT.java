// SPDX-License-Identifier: Apache-2.0

package io.runnel.example.spring;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.GroupInfo;
import io.runnel.redis.lettuce.LettuceTransport;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The example's jar run as users run it: {@code java -jar}, configured by environment
 * variables and command-line arguments, against a real redis-server. Runs after
 * {@code package} (failsafe), on the repackaged jar. (The starter's {@code PropertiesTest}
 * covers the other start-up failures in-process, an unreachable Redis among them.)
 */
@Tag("redis")
@Tag("process")
class ShopServiceJarIT {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    private static final Path JAR = Path.of(System.getProperty("example.jar", "target/example.jar"));
    private final List<Process> started = new ArrayList<>();

    /** The jar in a JVM of its own, its output (both streams) going to {@code log}. */
    private Process start(Path log, Map<String, String> environment, String... args) throws IOException {
        assertThat(JAR).as("the repackaged jar (run by failsafe after package)").exists();
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-jar", JAR.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("RUNNEL_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : started) {
            p.destroy(); // SIGTERM: the worker drains and leaves
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static Path log(String name) {
        return Path.of("target", "jar-" + ProcessHandle.current().pid() + "-" + name + ".log");
    }

    private static String output(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    @Test
    void the_jar_processes_orders_on_the_redis_runnel_redis_url_names() throws Exception {
        String app = "jar" + UUID.randomUUID().toString().substring(0, 8);
        Path log = log("runs");
        // The variables of the report that failed at startup, and a camel-case argument.
        // RUNNEL_DEFAULT_MAX_IN_FLIGHT applies to the per-record printer, not to the loop-form batcher.
        Process process = start(log, Map.of("RUNNEL_REDIS_URL", redis.url(), "RUNNEL_DEFAULT_JOIN_DELAY", "0",
                "RUNNEL_APP", app, "RUNNEL_METRICS_REPORTERS", "none", "RUNNEL_DEFAULT_MAX_IN_FLIGHT", "8"),
                "--runnel.defaultGracePeriod=3s");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> !process.isAlive() || output(log).contains("printer: order "));
        assertThat(process.isAlive()).as("still running; its output:\n%s", output(log)).isTrue();

        try (LettuceTransport view = new LettuceTransport(ConnectionUrl.parse(redis.url()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered(view, app) > 0);
            // Its heartbeat reports what the printer has in flight: the printer runs with max_in_flight 8.
            assertThat(view.get("__infl:" + app + ".orders.printer." + member(view, app, "printer"))).isPresent();
            assertThat(view.get("__infl:" + app + ".orders.batcher." + member(view, app, "batcher"))).isEmpty();
        }
        assertThat(output(log)).as("no warning or error logged, by the service or by Logback itself")
                .doesNotContainPattern("(WARN|ERROR) +\\d+ ---").doesNotContain("|-WARN");
    }

    /** The one member of a processor of the app's orders, from its membership record. */
    private static String member(LettuceTransport view, String app, String processor) {
        String members = view.get("__memb:" + app + ".orders." + processor).orElseThrow();
        Matcher m = Pattern.compile("\"([^\"]+)\"\\s*:\\s*\\{").matcher(members);
        assertThat(m.find()).as(members).isTrue();
        return m.group(1);
    }

    /** Partitions of the app's orders whose printer group was delivered entries, on the server. */
    private static long delivered(LettuceTransport view, String app) {
        long partitions = 0;
        for (int p = 0; p < 4; p++) {
            GroupInfo info = view.groupInfo("__strm:" + app + ".orders." + p, "printer").orElse(null);
            if (info != null && !info.lastDeliveredId().equals("0-0")) {
                partitions++;
            }
        }
        return partitions;
    }

    @Test
    void a_misspelt_property_stops_the_jar_with_a_short_report_naming_it() throws Exception {
        Path log = log("typo");
        Process process = start(log, Map.of("RUNNEL_REDIS_URL", redis.url()), "--runnel.defualt-partition-count=8");
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = output(log);
        assertThat(process.exitValue()).as(output).isEqualTo(1);
        assertThat(output).contains("APPLICATION FAILED TO START").contains("unknown Runnel property "
                + "runnel.defualt-partition-count (the command line); did you mean runnel.default-partition-count?");
        assertShort(output);
    }

    /** Boot's report without a stack trace: the failure analyzer took it. */
    private static void assertShort(String output) {
        assertThat(output).as(output).doesNotContain("\tat ").doesNotContain("Caused by");
        assertThat(output.lines().count()).as(output).isLessThan(45);
    }
}
