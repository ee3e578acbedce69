// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the transport suites ({@link TransportConformanceTest}, {@link RedisTransportTest})
 * share: a transport under test opened on the shared Redis server before each test and
 * closed after it, virtual threads for calls that block, and helpers. A subclass says how
 * to open the transport.
 */
@Tag("redis")
public abstract class TransportTestBase {

    /** The shared server, flushed before each test. */
    @RegisterExtension
    protected static final RedisExtension redis = new RedisExtension();

    /** Generous bound for anything that should happen "soon", so load never fails a test. */
    protected static final Duration PATIENCE = Duration.ofSeconds(20);

    /** A block long enough that only the event under test can end it within the test. */
    protected static final Duration LONG_BLOCK = Duration.ofSeconds(30);

    /** The transport under test, connected to {@link #redis} before each test. */
    protected Transport transport;

    /** Virtual threads for calls that block; stopped after each test. */
    protected ExecutorService threads;

    /** For a suite's subclass. */
    protected TransportTestBase() {
    }

    /**
     * Opens the transport under test.
     *
     * @param url a {@code redis://} URL, possibly with credentials or query parameters
     * @return a new transport, which the suite closes after each test
     */
    protected abstract Transport openTransport(String url);

    /**
     * The URL of the server the suite runs on: the shared server, unless a subclass runs it elsewhere (a cluster).
     *
     * @return the URL {@link #transport} is opened on
     */
    protected String serverUrl() {
        return redis.url();
    }

    @BeforeEach
    void openTransportUnderTest() {
        threads = Executors.newVirtualThreadPerTaskExecutor();
        transport = openTransport(serverUrl());
    }

    @AfterEach
    void closeTransportUnderTest() {
        try {
            if (transport != null) {
                transport.close();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * UTF-8 bytes of a string.
     *
     * @param text any text
     * @return its UTF-8 encoding
     */
    protected static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /**
     * A string from UTF-8 bytes.
     *
     * @param bytes UTF-8 text, or null
     * @return the text, or null for null
     */
    protected static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, UTF_8);
    }

    /**
     * Fields from alternating names and UTF-8 values, in order.
     *
     * @param namesAndValues a field name, its value, the next name, and so on
     * @return a new map of the fields, in the order given
     */
    protected static Map<String, byte[]> fields(String... namesAndValues) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.put(namesAndValues[i], bytes(namesAndValues[i + 1]));
        }
        return fields;
    }

    /**
     * Appends entries with field {@code n} = 0, 1, ... and returns their ids.
     *
     * @param key   the stream to append to
     * @param count how many entries to append
     * @return the new entries' ids, in order
     */
    protected List<String> appendNumbered(String key, int count) {
        return transport.append(IntStream.range(0, count)
                .mapToObj(n -> new Append(key, null, fields("n", Integer.toString(n)), 0))
                .toList());
    }

    /**
     * Waits until no client is blocked in the server, so that a blocked read left over by
     * an earlier test cannot be mistaken for the one a test is about to start.
     */
    protected void awaitNoBlockedClients() {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                .until(() -> blockedClients() == 0);
    }

    /**
     * Waits until the server reports at least this many clients blocked in a command.
     *
     * @param atLeast how many blocked clients to wait for
     */
    protected void awaitBlockedClients(int atLeast) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10))
                .until(() -> blockedClients() >= atLeast);
    }

    /**
     * Number of reads blocked right now in what the transport under test talks to. By default
     * the Redis server's {@code blocked_clients}; a transport that does not use the server
     * overrides it with its own count of blocked reads.
     *
     * @return how many reads are blocked now
     */
    protected long blockedClients() {
        return redis.server().blockedClients();
    }

    /**
     * Time since a {@link System#nanoTime()} reading.
     *
     * @param startNanos an earlier {@link System#nanoTime()}
     * @return the time elapsed since
     */
    protected static Duration elapsedSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    /**
     * The failure an action throws; an AssertionError if it throws none.
     *
     * @param action the action to run
     * @return what it threw
     * @throws AssertionError if it threw nothing
     */
    protected static Throwable catchFailure(ThrowingRunnable action) {
        try {
            action.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected a failure");
    }

    /** An action that may throw anything, for {@link #catchFailure(ThrowingRunnable)}. */
    @FunctionalInterface
    protected interface ThrowingRunnable {
        /**
         * Runs the action.
         *
         * @throws Exception whatever the action throws
         */
        void run() throws Exception;
    }
}
