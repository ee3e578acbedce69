// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} child process on a loopback port, with its own temporary data
 * directory and a log file in it.
 */
final class RedisProcess implements RedisBackend {
    private static final String HOST = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(2);
    private static final int PORT_ATTEMPTS = 5;
    private static final String READY = "Ready to accept connections";
    private static final String PORT_TAKEN = "Address already in use";

    /** Processes still running, killed when the JVM exits so no server outlives a test run. */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.forEach(Process::destroyForcibly), "runnel-redis-reaper"));
    }

    private final Path executable;
    private final List<String> extraArgs;
    private final Path dir;
    private final Path log;
    private final int port;
    private final String password;
    private Process process;

    private RedisProcess(Path executable, List<String> extraArgs, Path dir, int port) {
        this.executable = executable;
        this.extraArgs = List.copyOf(extraArgs);
        this.dir = dir;
        this.log = dir.resolve("redis.log");
        this.port = port;
        this.password = ServerArgs.requirePass(extraArgs);
    }

    /** Starts a server on a free port, retrying when another process grabs the port first. */
    static RedisProcess launch(Path executable, List<String> extraArgs) {
        Path dir;
        try {
            dir = Files.createTempDirectory("runnel-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a data directory for redis-server", e);
        }
        PortTaken last = null;
        for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
            RedisProcess server = new RedisProcess(executable, extraArgs, dir, FreePort.find());
            try {
                server.startAgain();
                return server;
            } catch (PortTaken e) {
                last = e;
            }
        }
        throw new IllegalStateException("redis-server could not bind a free port in "
                + PORT_ATTEMPTS + " attempts", last);
    }

    @Override
    public String url() {
        return "redis://" + HOST + ":" + port;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Resp.Endpoint adminEndpoint() {
        return Resp.Endpoint.plain(HOST, port).withPassword(null, password);
    }

    @Override
    public synchronized void startAgain() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>(List.of(
                executable.toString(),
                "--port", Integer.toString(port),
                "--bind", HOST,
                "--save", "",
                "--appendonly", "no",
                "--dir", dir.toString(),
                "--protected-mode", "no",
                "--daemonize", "no"));
        // Later options win in redis-server's configuration, so callers can override ours.
        command.addAll(extraArgs);
        long logOffset = logSize();
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + executable, e);
        }
        LIVE.add(process);
        awaitReady(logOffset);
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        Process stopping = process;
        process = null;
        try {
            if (stopping.isAlive()) {
                try {
                    Resp.call(adminEndpoint(), ADMIN_TIMEOUT, "SHUTDOWN", "NOSAVE");
                } catch (IOException | RuntimeException e) {
                    // Fall through to signals: the process has to go either way.
                }
                if (!stopping.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    stopping.destroy();
                    if (!stopping.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                        stopping.destroyForcibly().waitFor();
                    }
                }
            }
        } catch (InterruptedException e) {
            stopping.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(stopping);
        }
    }

    /** Whether the process runs. */
    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crash: no shutdown. {@link #startAgain()} brings it back on the same port and directory. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        Process killed = process;
        process = null;
        killed.destroyForcibly();
        try {
            killed.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(killed);
        }
    }

    @Override
    public synchronized void close() {
        stop();
        deleteRecursively(dir);
    }

    private void awaitReady(long logOffset) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String output = logSince(logOffset);
            if (!process.isAlive()) {
                LIVE.remove(process);
                process = null;
                if (output.contains(PORT_TAKEN)) {
                    throw new PortTaken(port);
                }
                throw new IllegalStateException("redis-server exited during start-up on port " + port
                        + "; tail of " + log + ":\n" + tail(output));
            }
            // The log line proves it is our process that answers, not some other server
            // that took the port in the meantime.
            if (output.contains(READY) && Resp.answers(adminEndpoint(), ADMIN_TIMEOUT)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        String output = logSince(logOffset);
        stop();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within "
                + START_TIMEOUT.toSeconds() + " s; tail of " + log + ":\n" + tail(output));
    }

    private long logSize() {
        try {
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private String logSince(long offset) {
        try {
            if (!Files.exists(log)) {
                return "";
            }
            byte[] bytes = Files.readAllBytes(log);
            int from = (int) Math.min(offset, bytes.length);
            return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
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

    /** Another process bound the port between choosing it and starting the server. */
    private static final class PortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PortTaken(int port) {
            super("port " + port + " was taken by another process");
        }
    }
}
