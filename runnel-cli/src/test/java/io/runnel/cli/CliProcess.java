// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.testkit.FastCoordination;
import io.runnel.testkit.Sigint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the command line as its own JVM ({@code java -cp <test classpath> io.runnel.cli.Main
 * ...}), with RUNNEL_* settings fast enough for tests and the environment otherwise clean,
 * capturing standard output and error in files under {@code target/cli-runs}.
 */
final class CliProcess {
    private static final AtomicInteger RUNS = new AtomicInteger();
    /** Generous: JVM start-up plus a command on a loaded two-core machine. */
    private static final long PATIENCE_SECONDS = 120;

    /** What a finished run left behind. */
    record Result(int exit, String stdout, String stderr) {
    }

    /** A run still going (a worker). */
    record Running(Process process, Path out, Path err) {
        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        Result awaitExit() throws InterruptedException {
            assertThat(process.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)).as("the command exits").isTrue();
            return new Result(process.exitValue(), stdout(), stderr());
        }
    }

    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Process> started = new ArrayList<>();

    CliProcess(String redisUrl) {
        env.put("RUNNEL_REDIS_URL", redisUrl);
        env.putAll(FastCoordination.environment());
        // No retention pass trims during a test: the status test compares stream lengths read
        // at different moments, and a pass on a slow run (the default interval is 10 s) once
        // trimmed an acked entry in between.
        env.put("RUNNEL_DEFAULT_RETENTION_INTERVAL", "1h");
    }

    /** The settings every child gets, for an in-process app that must match it. */
    Map<String, String> settings() {
        return Map.copyOf(env);
    }

    CliProcess with(String name, String value) {
        env.put(name, value);
        return this;
    }

    Result run(String... args) throws IOException, InterruptedException {
        return runWithInput(null, args);
    }

    /** Runs a command to its end, feeding it {@code stdin} (or nothing). */
    Result runWithInput(String stdin, String... args) throws IOException, InterruptedException {
        Running running = launch(stdin, args);
        return running.awaitExit();
    }

    Running start(String... args) throws IOException {
        return launch(null, args);
    }

    private Running launch(String stdin, String... args) throws IOException {
        Path dir = Path.of("target", "cli-runs");
        Files.createDirectories(dir);
        // Numbered per test JVM; the JVM's pid keeps the test JVMs that surefire runs side by
        // side from writing to each other's files.
        String run = ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet() + "-" + args[0];
        Path out = dir.resolve(run + ".out");
        Path err = dir.resolve(run + ".err");
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        if (Runtime.version().feature() >= 23) {
            // As bin/runnel does: Guice would warn on stderr about sun.misc.Unsafe.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(Sigint.restoredFor(command)).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("RUNNEL_"));
        pb.environment().putAll(env);
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process process = pb.start();
        started.add(process);
        if (stdin != null) {
            try (var input = process.getOutputStream()) {
                input.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        return new Running(process, out, err);
    }

    /** Kills whatever a failed test left running. */
    void destroyAll() {
        started.forEach(Process::destroyForcibly);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
