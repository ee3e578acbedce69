// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.runnel.testkit.RedisServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What every harness main class shares: where results go, the machine description, a Redis, waiting on conditions. */
final class Bench {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Bench() {
    }

    /** The java binary of this JVM, for child JVMs that must run on the same one. */
    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Where a harness writes {@code <name>-results.json}: {@code runnel-bench/target/results}
     * when run from the repository root (as {@code run-e2e} does), else the working directory.
     */
    static Path defaultOut(String name) {
        Path target = Path.of("runnel-bench", "target");
        if (Files.isDirectory(target)) {
            Path dir = target.resolve("results");
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return dir.resolve(name + "-results.json");
        }
        return Path.of(name + "-results.json");
    }

    /** JDK, CPUs and date: the header every results file carries. */
    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", Instant.now().toString());
        m.put("jdk", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("cpus", Runtime.getRuntime().availableProcessors());
        m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        m.put("loadAverage", loadAverage());
        return m;
    }

    /** A harness's app: no environment, no join delay, the given transport and partition count. */
    static io.runnel.engine.App.Builder app(String name, String url, String transport, int partitions) {
        return io.runnel.engine.App.builder(name)
                .environment(Map.of())
                .redisUrl(url)
                .setting("transport", transport)
                .setting("default_join_delay", 0)
                .setting("default_partition_count", partitions);
    }

    /** CPU time used so far by this whole JVM (every thread, JIT and GC included), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Bytes this JVM has allocated on the heap so far, over all its threads, live and ended
     * (HotSpot's {@code getTotalThreadAllocatedBytes}); -1 when the JVM does not report it.
     */
    static long allocatedBytes() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                ? threads.getTotalThreadAllocatedBytes() : -1;
    }

    /**
     * Time this JVM's JIT compilers have spent so far, summed over their threads, in
     * milliseconds; -1 when the JVM does not report it.
     */
    static long jitMillis() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** The 1/5/15-minute load averages (Linux), so a reader can see how busy the machine was. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void writeJson(Path out, Map<String, Object> doc) {
        try {
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            JSON.writeValue(out.toFile(), doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** A Redis for one harness run: {@code url} if given, else a private redis-server stopped by {@link Redis#close()}. */
    record Redis(String url, RedisServer server) implements AutoCloseable {
        static Redis startOrUse(String url) {
            if (url != null) {
                return new Redis(url, null);
            }
            RedisServer s = RedisServer.start();
            return new Redis(s.url(), s);
        }

        @Override
        public void close() {
            if (server != null) {
                server.close();
            }
        }
    }

    /**
     * Waits until {@code condition} holds, checking every millisecond. For states the engine
     * exposes only by polling (owned partitions); events the harness produces itself use
     * latches instead.
     *
     * @throws IllegalStateException naming {@code what} after {@code timeout}
     */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Sends {@code Order.sample(0 .. n-1)} to {@code orders} with {@code sendAll}, {@code batch} at a time. */
    static void sendSamples(io.runnel.engine.Stream<Order> orders, int n, int batch) {
        sendSamples(orders, 0, n, batch);
    }

    /** Sends {@code Order.sample(from .. to-1)} to {@code orders} with {@code sendAll}, {@code batch} at a time. */
    static void sendSamples(io.runnel.engine.Stream<Order> orders, long from, long to, int batch) {
        java.util.List<Order> pending = new java.util.ArrayList<>(batch);
        for (long i = from; i < to; i++) {
            pending.add(Order.sample(i));
            if (pending.size() == batch || i == to - 1) {
                orders.sendAll(pending);
                pending.clear();
            }
        }
    }

    /** A Redis server's CPU time so far (INFO cpu: used_cpu_user + used_cpu_sys), in seconds. */
    static double redisCpuSeconds(io.lettuce.core.api.StatefulRedisConnection<String, String> server) {
        double seconds = 0;
        for (String line : server.sync().info("cpu").split("\r?\n")) {
            if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
                seconds += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return seconds;
    }

    static double millis(long nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
