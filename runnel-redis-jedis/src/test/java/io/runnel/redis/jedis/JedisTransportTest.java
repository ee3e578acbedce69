package io.runnel.redis.jedis;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.testkit.RedisExtension;
import io.runnel.testkit.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the conformance suite leaves open and this transport decides, the same way as the
 * Lettuce transport, plus the parts particular to Jedis: pools, socket timeouts, reconnection.
 */
class JedisTransportTest {

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Duration LONG_BLOCK = Duration.ofSeconds(30);

    private Transport transport;
    private ExecutorService threads;

    @BeforeEach
    void open() {
        threads = Executors.newVirtualThreadPerTaskExecutor();
        transport = open(redis.url());
    }

    @AfterEach
    void close() {
        try {
            transport.close();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void countZeroOrLessMeansNoLimit() {
        transport.append(List.of(entry("s", "a"), entry("s", "b"), entry("s", "c")));
        transport.createGroup(List.of("s"), "g", "0");

        assertThat(transport.range("s", "-", "+", 0)).hasSize(3);
        assertThat(transport.read("s", "0-0", -1, null)).hasSize(3);
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 0, null).get("s")).hasSize(3);
    }

    @Test
    void blockOfZeroOrLessDoesNotBlock() {
        transport.createGroup(List.of("s"), "g", "$");

        // Redis would read BLOCK 0 as "forever"; the test would hang if it were sent.
        assertThat(transport.read("s", "$", 10, Duration.ZERO)).isEmpty();
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofMillis(-1))).isEmpty();
    }

    @Test
    void timesToLiveMustBePositiveAndRoundUpToWholeMilliseconds() {
        assertThatThrownBy(() -> transport.set("k", "v", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.setIfAbsent("k", "v", Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> transport.extendIfOwner("k", "v", null)).isInstanceOf(NullPointerException.class);

        transport.set("k", "v", Duration.ofNanos(1));
        assertThat(transport.setIfAbsent("lock", "me", null)).as("NX without expiry").isTrue();
        assertThat(transport.timeToLive("lock")).isEmpty();
    }

    @Test
    void pendingEntryDeletedSinceDeliveryComesBackWithoutFields() {
        List<String> ids = transport.append(List.of(entry("s", "a"), entry("s", "b")));
        transport.createGroup(List.of("s"), "g", "0");
        transport.readGroup("g", "c", Map.of("s", ">"), 10, null);
        redis.server().call("XDEL", "s", ids.get(0));

        List<StreamEntry> pending = transport.readGroup("g", "c", Map.of("s", "0-0"), 10, null).get("s");

        assertThat(pending).extracting(StreamEntry::id).containsExactlyElementsOf(ids);
        assertThat(pending.get(0).fields()).isEmpty();
        assertThat(new String(pending.get(1).fields().get("v"), UTF_8)).isEqualTo("b");
        transport.ack("g", Map.of("s", ids));
        assertThat(transport.pendingCount("s", "g")).isZero();
    }

    @Test
    void lockScriptsSurviveAFlushedScriptCache() {
        transport.set("lock", "me", Duration.ofSeconds(60));
        assertThat(transport.extendIfOwner("lock", "me", Duration.ofSeconds(60))).isTrue();

        redis.server().call("SCRIPT", "FLUSH");

        assertThat(transport.extendIfOwner(List.of("lock", "other"), "me", Duration.ofSeconds(90)))
                .containsExactly(true, false);
        redis.server().call("SCRIPT", "FLUSH");
        assertThat(transport.deleteIfOwner("lock", "me")).isTrue();
        redis.server().call("SCRIPT", "FLUSH");
        assertThat(transport.groupExists("lock", "g")).isFalse();
    }

    @Test
    void errorRepliesNameTheCommandAndTheServer() {
        transport.set("string", "v", null);

        assertThatThrownBy(() -> transport.length("string"))
                .isInstanceOf(TransportException.class)
                .hasMessageStartingWith("XLEN was rejected by " + redis.url())
                .hasMessageContaining("WRONGTYPE");
        assertThatThrownBy(() -> transport.pendingCount("string", "g"))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("XPENDING");
        assertThat(transport.get("string")).as("the connection is still in step").contains("v");
    }

    @Test
    void databaseInTheUrlIsSelected() {
        try (Transport db3 = open(redis.url() + "/3")) {
            db3.set("k", "three", null);

            assertThat(db3.get("k")).contains("three");
            assertThat(transport.get("k")).isEmpty();
        }
    }

    @Test
    void blockingReadMayOutlastTheCommandTimeout() {
        try (Transport shortTimeout = open(redis.url() + "?timeout=500ms")) {
            shortTimeout.createGroup(List.of("s"), "g", "$");
            long started = System.nanoTime();

            Map<String, List<StreamEntry>> read =
                    shortTimeout.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofMillis(1500));

            assertThat(read).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1400));
            assertThat(shortTimeout.read("s", "$", 10, Duration.ofMillis(800))).isEmpty();
        }
    }

    @Test
    void moreBlockingReadsThanPooledConnectionsRunSideBySide() throws Exception {
        int readers = Pools.COMMAND_CONNECTIONS + Pools.IDLE_BLOCKING_CONNECTIONS + 4;
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < readers; i++) {
            keys.add("s" + i);
        }
        transport.createGroup(keys, "g", "$");
        awaitBlockedClients(0);
        List<Future<Map<String, List<StreamEntry>>>> reads = new ArrayList<>();
        for (String key : keys) {
            reads.add(threads.submit(() -> transport.readGroup("g", "c", Map.of(key, ">"), 10, LONG_BLOCK)));
        }
        awaitBlockedClients(readers);

        transport.set("k", "v", null);
        assertThat(transport.get("k")).contains("v");
        transport.append(keys.stream().map(key -> entry(key, key)).toList());

        for (int i = 0; i < readers; i++) {
            assertThat(reads.get(i).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).containsOnlyKeys(keys.get(i));
        }
    }

    @Test
    void interruptingABlockedReadEndsItAndLeavesTheTransportUsable() throws Exception {
        transport.createGroup(List.of("s"), "g", "$");
        awaitBlockedClients(0);
        AtomicReference<Thread> reader = new AtomicReference<>();
        Future<Map<String, List<StreamEntry>>> read = threads.submit(() -> {
            reader.set(Thread.currentThread());
            return transport.readGroup("g", "c", Map.of("s", ">"), 10, LONG_BLOCK);
        });
        awaitBlockedClients(1);

        reader.get().interrupt();

        assertThatThrownBy(() -> read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TransportException.class)
                .hasMessageStartingWith("XREADGROUP was interrupted");
        awaitBlockedClients(0);
        String id = transport.append(entry("s", "after"));
        assertThat(transport.readGroup("g", "c", Map.of("s", ">"), 10, Duration.ofSeconds(5)).get("s"))
                .extracting(StreamEntry::id).containsExactly(id);
    }

    @Test
    void aCommandOutlastingTheTimeoutFailsAndTheNextOneWorks() throws Exception {
        try (RedisServer slow = RedisServer.start("--enable-debug-command", "yes");
             Transport impatient = open(slow.url() + "?timeout=500ms")) {
            impatient.set("k", "v", null);
            // DEBUG SLEEP stalls the whole server; commands sent before it starts still succeed.
            Future<Object> sleeping = threads.submit(() -> slow.call("DEBUG", "SLEEP", "3"));
            TransportException timedOut = null;
            while (timedOut == null && !sleeping.isDone()) {
                try {
                    impatient.get("k");
                } catch (TransportException e) {
                    timedOut = e;
                }
            }

            assertThat(timedOut).isNotNull().hasMessageStartingWith("GET timed out on " + slow.url());
            sleeping.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(impatient.get("k")).contains("v");
        }
    }

    @Test
    void afterAServerRestartOneFailedCallClearsTheDeadConnections() throws Exception {
        try (RedisServer restarting = RedisServer.start();
             Transport survivor = open(restarting.url())) {
            // Leave several idle connections in the pool; the restart kills them all.
            setConcurrently(survivor, "before");

            restarting.restart();

            try {
                survivor.set("k", "first", null);
            } catch (TransportException e) {
                // The connection it took was dead: the price of not testing each one on borrow.
            }
            assertThat(setConcurrently(survivor, "after")).as("failed calls after the first").isZero();
            assertThat(survivor.get("k")).contains("after");
        }
    }

    @Test
    void closingFailsCallsThatWaitForAConnection() throws Exception {
        Transport closing = open(redis.url());
        closing.createGroup(List.of("s"), "g", "$");
        Future<Map<String, List<StreamEntry>>> read =
                threads.submit(() -> closing.readGroup("g", "c", Map.of("s", ">"), 10, LONG_BLOCK));
        awaitBlockedClients(1);

        closing.close();

        assertThatThrownBy(() -> read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("closing");
        assertThat(closing.toString()).isEqualTo("JedisTransport[" + redis.url() + "]");
    }

    // ------------------------------------------------------------------ helpers

    /** Many threads setting a key at once, so the pool lends out several connections. */
    private int setConcurrently(Transport target, String value) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(threads.submit(() -> {
                go.await();
                int failures = 0;
                for (int n = 0; n < 50; n++) {
                    try {
                        target.set("k", value, null);
                    } catch (TransportException e) {
                        failures++;
                    }
                }
                return failures;
            }));
        }
        go.countDown();
        int failures = 0;
        for (Future<Integer> call : calls) {
            failures += call.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
        return failures;
    }

    private static Transport open(String url) {
        return new JedisTransportProvider().open(ConnectionUrl.parse(url));
    }

    private static Append entry(String key, String value) {
        return new Append(key, null, Map.of("v", value.getBytes(UTF_8)), 0);
    }

    /** Waits until exactly this many clients are blocked, so earlier tests' reads are gone. */
    private static void awaitBlockedClients(int count) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> blockedClients() == count);
    }

    private static long blockedClients() {
        Object info = redis.server().call("INFO", "clients");
        Matcher matcher = Pattern.compile("blocked_clients:(\\d+)").matcher(String.valueOf(info));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}
