// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Redis server for tests. {@link #start(String...)} takes the first of:
 * <ol>
 *   <li>the server named by the {@code REDIS_URL} environment variable (only when no extra
 *       arguments are asked for, since they could not be applied to it; it cannot be
 *       stopped or restarted);
 *   <li>a {@code redis-server} process on a free loopback port, found on the PATH or in
 *       {@code /usr/bin} or {@code /usr/local/bin}, with a fresh temporary data directory;
 *   <li>a {@code redis:7} container, when Testcontainers finds a Docker engine.
 * </ol>
 * If none is possible it throws, so tests fail loudly rather than being skipped.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.start("--requirepass", "s3cret")) {
 *     connectTo("redis://:s3cret@127.0.0.1:" + redis.port());
 * }
 * }</pre>
 */
public final class RedisServer implements AutoCloseable {
    static final String NOTHING_TO_RUN = "Cannot start Redis for the tests: no redis-server on PATH, no"
            + " REDIS_URL and no Docker engine. Install it with `apt-get install -y redis-server` or set"
            + " REDIS_URL.";
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern BLOCKED_CLIENTS = Pattern.compile("blocked_clients:(\\d+)");

    private final RedisBackend backend;

    private RedisServer(RedisBackend backend) {
        this.backend = backend;
    }

    /**
     * Starts (or finds) a server and waits until it answers PING.
     *
     * @param extraArgs {@code redis-server} options such as {@code "--appendonly", "yes"};
     *                  they override the testkit's defaults ({@code --save ""},
     *                  {@code --appendonly no})
     * @return the running server, which the caller closes
     * @throws IllegalStateException when no server can be provided, or it fails to start
     *                               (with the tail of its log)
     */
    public static RedisServer start(String... extraArgs) {
        List<String> args = List.of(extraArgs);
        String external = System.getenv("REDIS_URL");
        boolean useExternal = external != null && !external.isBlank();
        if (useExternal && args.isEmpty()) {
            return new RedisServer(ExternalRedis.connect(external));
        }
        var executable = RedisExecutable.find();
        if (executable.isPresent()) {
            return new RedisServer(RedisProcess.launch(executable.get(), args));
        }
        if (RedisContainer.dockerAvailable()) {
            return new RedisServer(RedisContainer.launch(args));
        }
        if (useExternal) {
            throw new IllegalStateException(NOTHING_TO_RUN + " (REDIS_URL is set, but a server with the"
                    + " options " + args + " has to be started locally.)");
        }
        throw new IllegalStateException(NOTHING_TO_RUN);
    }

    /**
     * The URL to connect to, e.g. {@code redis://127.0.0.1:32768}. A server the testkit
     * starts needs no credentials (tests that pass {@code --requirepass} add them); the
     * external one is returned exactly as {@code REDIS_URL} gives it.
     *
     * @return the URL
     */
    public String url() {
        return backend.url();
    }

    /**
     * The port the server listens on.
     *
     * @return the client port
     */
    public int port() {
        return backend.port();
    }

    /** Removes every key of every database. */
    public void flushAll() {
        call("FLUSHALL");
    }

    /**
     * Sends one command as the administrator (authenticating with {@code --requirepass}
     * when it was given), e.g. {@code call("ACL", "SETUSER", "alice", "on", ">pw", "~*", "+@all")}
     * or {@code call("INFO", "clients")}.
     *
     * @param command the command's name and arguments
     * @return {@code String} for status and bulk replies, {@code Long} for integers,
     *     {@code List<Object>} for arrays, {@code null} for nil
     * @throws IllegalStateException when the server answers with an error
     * @throws UncheckedIOException  when it cannot be reached
     */
    public Object call(String... command) {
        return callInDatabase(0, command);
    }

    /**
     * Sends one command as the administrator to the given database, e.g.
     * {@code callInDatabase(2, "GET", "k")} to see what a client with {@code /2} in its URL wrote.
     *
     * @param database the database number to select first
     * @param command  the command's name and arguments
     * @return the reply, typed as {@link #call(String...)} says
     * @throws IllegalStateException when the server answers with an error
     * @throws UncheckedIOException  when it cannot be reached
     * @see #call(String...)
     */
    public Object callInDatabase(int database, String... command) {
        Objects.requireNonNull(command, "command");
        try {
            return Resp.call(backend.adminEndpoint(), ADMIN_TIMEOUT, database, command);
        } catch (Resp.ErrorReply e) {
            throw new IllegalStateException("Redis rejected " + command[0] + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reach Redis at " + backend.adminEndpoint()
                    + " for " + command[0], e);
        }
    }

    /**
     * Number of clients blocked in a command right now ({@code blocked_clients} of
     * {@code INFO clients}), for tests that must know a read is really waiting in the server.
     *
     * @return how many clients are blocked
     */
    public long blockedClients() {
        Object info = call("INFO", "clients");
        Matcher matcher = BLOCKED_CLIENTS.matcher(String.valueOf(info));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    /**
     * Shuts the server down without saving (an AOF, if enabled, is still flushed) and waits
     * until it has exited; the data directory is kept for {@link #restart()}.
     *
     * @throws UnsupportedOperationException for the external server named by {@code REDIS_URL}
     */
    public void stop() {
        backend.stop();
    }

    /**
     * Stops the server (if running) and starts it again on the same port with the same
     * arguments and data directory, e.g. to test reconnection, or recovery with
     * {@code --appendonly yes}.
     *
     * @throws UnsupportedOperationException for the external server named by {@code REDIS_URL}
     */
    public void restart() {
        backend.stop();
        backend.startAgain();
    }

    /** Stops the server and deletes its data directory; does nothing to an external server. */
    @Override
    public void close() {
        backend.close();
    }

    @Override
    public String toString() {
        return "RedisServer[port=" + port() + "]";
    }
}
