// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Worker JVMs started by a test from its own classpath, configured through RUNNEL_* variables, killed at the end. */
final class ChildWorkers implements AutoCloseable {
    private final Map<String, String> settings;
    private final List<Process> started = new ArrayList<>();

    /** @param settings RUNNEL_* variables for every child (the parent's own RUNNEL_* are dropped) */
    ChildWorkers(Map<String, String> settings) {
        this.settings = Map.copyOf(settings);
    }

    /**
     * RUNNEL_* settings for fault tests of worker processes: fast rebalancing, short reads,
     * small buffers, {@code lockExpiry} and a grace period of 1 s.
     */
    static Map<String, String> faultTestSettings(TransportKind kind, int partitions, Duration lockExpiry) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RUNNEL_TRANSPORT", kind.name().toLowerCase(Locale.ROOT));
        env.put("RUNNEL_DEFAULT_PARTITION_COUNT", Integer.toString(partitions));
        env.put("RUNNEL_DEFAULT_JOIN_DELAY", "0");
        env.put("RUNNEL_DEFAULT_ASSIGNMENT_SLEEP", "100ms");
        env.put("RUNNEL_DEFAULT_READ_TIMEOUT", "200");
        env.put("RUNNEL_DEFAULT_LOCK_EXPIRY", lockExpiry.toMillis() + "ms");
        env.put("RUNNEL_DEFAULT_GRACE_PERIOD", "1");
        env.put("RUNNEL_DEFAULT_PREFETCH_COUNT", "8");
        env.put("RUNNEL_LEADERSHIP_POLL_INTERVAL", "200");
        return env;
    }

    /**
     * Where a child's output goes. App names are unique within one test JVM only; the test
     * JVM's pid keeps those surefire runs side by side apart.
     */
    static Path logOf(String appName, String label) {
        return Path.of("target", "worker-" + ProcessHandle.current().pid() + "-" + appName + "-" + label + ".log");
    }

    /** Starts {@code main} with {@code args}, output to {@link #logOf}. */
    Process start(Class<?> main, String appName, String label, String... args) throws IOException {
        Files.createDirectories(Path.of("target"));
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(logOf(appName, label).toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RUNNEL_"));
        env.putAll(settings);
        env.put("RUNNEL_TEST_LOG_LEVEL", "INFO");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** Sends a signal by name ({@code STOP}, {@code CONT}, ...) to a child, through the shell's kill. */
    static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("sh", "-c", "kill -" + signal + " " + process.pid()).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.destroyForcibly();
        }
    }
}
