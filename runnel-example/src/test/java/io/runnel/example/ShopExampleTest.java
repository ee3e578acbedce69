// SPDX-License-Identifier: Apache-2.0

package io.runnel.example;

import io.runnel.testkit.RedisExtension;
import io.runnel.testkit.Sigint;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Runs the example as the README does — a {@code runnel worker} process naming
 * {@link ShopExample} — on the in-memory transport and on a real Redis; it must print the
 * orders it processes and batches, and exit 0 on SIGINT (Ctrl-C).
 */
@Tag("redis")
@Tag("process")
class ShopExampleTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    private record Run(Process process, Path out, Path err) {
        String stdout() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }
    }

    /** {@code runnel worker io.runnel.example.ShopExample}, with RUNNEL_REDIS_URL only if given. */
    private Run startExample(String redisUrl, String label) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "example-runs"));
        Path out = dir.resolve(label + ".out");
        Path err = dir.resolve(label + ".err");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.runnel.cli.Main",
                "worker", ShopExample.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(Sigint.restoredFor(command)).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_"));
        if (redisUrl != null) {
            pb.environment().put("RUNNEL_REDIS_URL", redisUrl);
        }
        Process process = pb.start();
        started.add(process);
        return new Run(process, out, err);
    }

    private static void sigint(Process process) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start();
        assertThat(kill.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }

    private static void runsPrintsAndStopsOnCtrlC(Run run) throws Exception {
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(run.stdout())
                .containsPattern("printer: order \\d+ from \\w+, \\d+\\.\\d\\d \\(partition \\d\\)")
                .containsPattern("batcher: batch of \\d+ order\\(s\\) \\(partition \\d\\)"));

        sigint(run.process());

        assertThat(run.process().waitFor(60, TimeUnit.SECONDS)).as("stops after Ctrl-C").isTrue();
        assertThat(run.process().exitValue()).as(Files.readString(run.err())).isZero();
        assertThat(Files.readString(run.err())).contains("received SIGINT").contains("worker stopped");
    }

    @Test
    void runs_on_the_in_memory_transport_by_default() throws Exception {
        Run run = startExample(null, "memory");

        runsPrintsAndStopsOnCtrlC(run);
    }

    @Test
    void runs_on_redis_when_runnel_redis_url_is_set() throws Exception {
        Run run = startExample(redis.url(), "redis");

        runsPrintsAndStopsOnCtrlC(run);
        assertThat(redis.server().call("EXISTS", "__strm:example.orders.0", "__strm:example.orders.1",
                "__strm:example.orders.2", "__strm:example.orders.3").toString())
                .as("the orders went to Redis").isNotEqualTo("0");
        assertThat(redis.server().call("GET", "__memb:example.orders.printer").toString()).isEqualTo("{}");
    }
}
