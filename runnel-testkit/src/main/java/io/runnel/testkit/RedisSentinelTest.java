// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code redis-sentinel://} URLs, against a real sentinel ({@code redis-server --sentinel})
 * watching a password-protected master: the master is found through the sentinel, the
 * URL's credentials reach the master (the sentinel itself needs none), and blocking reads
 * work on the master as well. What every Redis transport must do with Sentinel; a
 * transport module runs it with one small subclass:
 *
 * <pre>{@code
 * class LettuceSentinelTest extends RedisSentinelTest {
 *     @Override
 *     protected Transport openTransport(String url) {
 *         return new LettuceTransportProvider().open(ConnectionUrl.parse(url));
 *     }
 * }
 * }</pre>
 */
@Tag("redis")
public abstract class RedisSentinelTest {
    private static final String MASTER_NAME = "mymaster";
    private static final String MASTER_PASSWORD = "m4ster-pw";
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private static RedisServer master;
    private static RedisSentinel sentinel;

    /** For a transport module's subclass. */
    protected RedisSentinelTest() {
    }

    /**
     * Opens the transport under test.
     *
     * @param url a {@code redis-sentinel://} URL with the master's password
     * @return a new transport, which the test closes
     */
    protected abstract Transport openTransport(String url);

    @BeforeAll
    static void startMasterAndSentinel() {
        master = RedisServer.start("--requirepass", MASTER_PASSWORD);
        sentinel = RedisSentinel.watch(master, MASTER_NAME, MASTER_PASSWORD);
    }

    @AfterAll
    static void stopMasterAndSentinel() {
        try {
            if (sentinel != null) {
                sentinel.close();
            }
        } finally {
            if (master != null) {
                master.close();
            }
        }
    }

    @Test
    void findsTheMasterThroughTheSentinelAndAuthenticatesToIt() {
        try (Transport transport = openTransport(sentinelUrl(MASTER_PASSWORD) + "/2#" + MASTER_NAME)) {
            transport.set("k", "v", null);

            assertThat(transport.get("k")).contains("v");
            assertThat(transport.toString()).doesNotContain(MASTER_PASSWORD);
        }
        assertThat(master.callInDatabase(2, "GET", "k")).as("written to the URL's database").isEqualTo("v");
    }

    @Test
    void acceptsTheMasterNameAsAQueryParameterAndSeveralSentinels() {
        // The second sentinel does not exist: one reachable sentinel is enough.
        String url = sentinelUrl(MASTER_PASSWORD) + ",127.0.0.1:" + FreePort.find()
                + "?sentinelMasterId=" + MASTER_NAME;
        try (Transport transport = openTransport(url)) {
            transport.set("q", "v", null);

            assertThat(transport.get("q")).contains("v");
        }
        assertThat(master.call("GET", "q")).isEqualTo("v");
    }

    @Test
    void blockingReadsUseTheMasterToo() throws Exception {
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try (Transport transport = openTransport(sentinelUrl(MASTER_PASSWORD) + "#" + MASTER_NAME)) {
            transport.delete(List.of("s"));
            transport.createGroup(List.of("s"), "g", "$");
            Future<Map<String, List<StreamEntry>>> read = threads.submit(() ->
                    transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofSeconds(30)));
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> master.blockedClients() > 0);

            String id = transport.append(new Append("s", null, Map.of("v", "x".getBytes(UTF_8)), 0));

            assertThat(read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).get("s"))
                    .extracting(StreamEntry::id).containsExactly(id);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void unknownMasterNameFails() {
        String url = "redis-sentinel://127.0.0.1:" + sentinel.port() + "#nosuchmaster";

        assertThatThrownBy(() -> openTransport(url).close())
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("nosuchmaster");
    }

    @Test
    void wrongMasterPasswordFailsWithoutShowingIt() {
        String url = sentinelUrl("wr0ng-pa55") + "#" + MASTER_NAME;

        assertThatThrownBy(() -> openTransport(url).close())
                .isInstanceOf(TransportException.class)
                .satisfies(failure -> {
                    assertThat(failure.getMessage()).doesNotContain("wr0ng-pa55").contains("***")
                            .contains("WRONGPASS");
                    assertThat(stackTrace(failure)).doesNotContain("wr0ng-pa55");
                });
    }

    // ------------------------------------------------------------------ helpers

    /** {@code redis-sentinel://:password@127.0.0.1:port} of the sentinel, without the master's name. */
    private static String sentinelUrl(String password) {
        return "redis-sentinel://:" + password + "@127.0.0.1:" + sentinel.port();
    }

    /**
     * A failure as printed, with its causes and suppressed exceptions.
     *
     * @param failure any exception
     * @return its stack trace as {@link Throwable#printStackTrace()} prints it
     */
    protected static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
