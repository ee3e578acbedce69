// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A sentinel ({@code redis-server --sentinel}) on a free loopback port, watching one master
 * of a {@link RedisServer}, with its own temporary directory (a sentinel rewrites its
 * configuration file, so it must live somewhere writable).
 */
final class RedisSentinel implements AutoCloseable {
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);
    private static final int PORT_ATTEMPTS = 5;
    private static final String PORT_TAKEN = "Address already in use";

    /** Sentinels still running, killed when the JVM exits so none outlives a test run. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(Process::destroyForcibly), "runnel-sentinel-reaper"));
    }

    private final Path dir;
    private final int port;
    private final Process process;

    private RedisSentinel(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts a sentinel that watches {@code master} under {@code masterName} (quorum 1) and
     * waits until it names the master's address.
     *
     * @param masterPassword what the sentinel authenticates to the master with; null for none
     */
    static RedisSentinel watch(RedisServer master, String masterName, String masterPassword) {
        Path executable = RedisExecutable.find().orElseThrow(() -> new IllegalStateException(
                "the Sentinel tests need redis-server: apt-get install -y redis-server"));
        Path dir;
        try {
            dir = Files.createTempDirectory("runnel-sentinel-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the sentinel", e);
        }
        try {
            for (int attempt = 1; ; attempt++) {
                int port = FreePort.find();
                Path config = dir.resolve("sentinel.conf");
                Path log = dir.resolve("sentinel.log");
                Files.writeString(config, String.join("\n",
                        "port " + port,
                        "bind " + HOST,
                        "dir " + dir,
                        "sentinel monitor " + masterName + " " + HOST + " " + master.port() + " 1",
                        masterPassword == null ? "" : "sentinel auth-pass " + masterName + " " + masterPassword,
                        ""));
                Files.deleteIfExists(log);
                Process process = new ProcessBuilder(executable.toString(), config.toString(), "--sentinel")
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
                LIVE.add(process);
                RedisSentinel sentinel = new RedisSentinel(dir, port, process);
                if (sentinel.awaitMaster(masterName, log)) {
                    return sentinel;
                }
                String output = Files.readString(log, StandardCharsets.UTF_8);
                sentinel.stopProcess();
                if (!output.contains(PORT_TAKEN) || attempt == PORT_ATTEMPTS) {
                    throw new IllegalStateException("the sentinel did not come up on port " + port + "; its log:\n"
                            + output);
                }
            }
        } catch (IOException e) {
            deleteRecursively(dir);
            throw new UncheckedIOException("cannot start a sentinel", e);
        } catch (RuntimeException e) {
            deleteRecursively(dir);
            throw e;
        }
    }

    /** The port the sentinel listens on. */
    int port() {
        return port;
    }

    /** Sends one command to the sentinel, e.g. {@code SENTINEL get-master-addr-by-name mymaster}. */
    Object call(String... command) {
        try {
            return Resp.call(Resp.Endpoint.plain(HOST, port), ADMIN_TIMEOUT, command);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach the sentinel at " + HOST + ":" + port, e);
        }
    }

    @Override
    public void close() {
        try {
            stopProcess();
        } finally {
            deleteRecursively(dir);
        }
    }

    /** True once the sentinel answers with the master's address; false if it exits or takes too long. */
    private boolean awaitMaster(String masterName, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                Object address = Resp.call(Resp.Endpoint.plain(HOST, port), ADMIN_TIMEOUT,
                        "SENTINEL", "get-master-addr-by-name", masterName);
                // The log line proves it is our sentinel that answers, not another process on the port.
                if (address instanceof List<?> hostAndPort && hostAndPort.size() == 2
                        && Files.readString(log, StandardCharsets.UTF_8).contains("Sentinel ID is")) {
                    return true;
                }
            } catch (IOException | RuntimeException e) {
                // Not listening yet.
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private void stopProcess() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A leftover temp directory is harmless; failing the test run over it is not.
        }
    }
}
