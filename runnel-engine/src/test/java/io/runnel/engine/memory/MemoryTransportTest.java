// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the conformance suite cannot check without control of the clocks, and the in-memory specifics. */
class MemoryTransportTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final Duration LONG_BLOCK = Duration.ofSeconds(30);

    private final AtomicLong wallClock = new AtomicLong(1_700_000_000_000L);
    private final AtomicLong monotonicClock = new AtomicLong(5_000);
    private final MemoryTransport transport = MemoryTransport.create(wallClock::get, monotonicClock::get);
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    @AfterEach
    void close() {
        transport.close();
        threads.shutdownNow();
    }

    // ---------------------------------------------------------------- stream ids

    @Test
    void autoIdsStayMonotonicWhenTheClockStandsStillOrGoesBack() {
        String first = append("s");
        String sameMillis = append("s");
        wallClock.addAndGet(-60_000);
        String clockWentBack = append("s");
        wallClock.addAndGet(120_000);
        String clockCaughtUp = append("s");

        assertThat(List.of(first, sameMillis, clockWentBack, clockCaughtUp)).containsExactly(
                "1700000000000-0", "1700000000000-1", "1700000000000-2", "1700000060000-0");
    }

    @Test
    void autoIdsNeverGoBelowAnExplicitIdFromTheFuture() {
        transport.append(new Append("s", "1800000000000-5", fields("v", "x"), 0));

        assertThat(append("s")).isEqualTo("1800000000000-6");
    }

    @Test
    void idsStayAboveTrimmedAndDeletedEntriesButNotAboveADeletedStream() {
        transport.append(new Append("s", "9-0", fields("v", "a"), 0));
        transport.append(new Append("s", "10-0", fields("v", "b"), 1));

        assertThat(transport.range("s", "-", "+", 0)).extracting(StreamEntry::id).containsExactly("10-0");
        assertThatThrownBy(() -> transport.append(new Append("s", "9-5", fields("v", "c"), 0)))
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("equal or smaller than the target stream top item");

        transport.delete(List.of("s"));
        assertThat(transport.append(new Append("s", "1-0", fields("v", "d"), 0))).isEqualTo("1-0");
    }

    @Test
    void explicitIdsFollowRedisRules() {
        assertThat(transport.append(new Append("s", "5", fields("v", "a"), 0))).isEqualTo("5-0");
        assertThat(transport.append(new Append("s", "5-*", fields("v", "b"), 0))).isEqualTo("5-1");
        assertThat(transport.append(new Append("s", "7-*", fields("v", "c"), 0))).isEqualTo("7-0");
        assertThat(transport.append(new Append("s", "*", fields("v", "d"), 0))).isEqualTo("1700000000000-0");
        assertThatThrownBy(() -> transport.append(new Append("t", "0-0", fields("v", "e"), 0)))
                .isInstanceOf(TransportException.class).hasMessageContaining("greater than 0-0");
        assertThatThrownBy(() -> transport.append(new Append("t", "x-1", fields("v", "e"), 0)))
                .isInstanceOf(TransportException.class).hasMessageContaining("Invalid stream ID");
        assertThat(transport.length("t")).as("a refused XADD leaves no stream behind").isZero();
        assertThat(transport.groupExists("t", "g")).isFalse();
    }

    @Test
    void aRefusedAppendInABatchDoesNotStopTheOthers() {
        transport.append(new Append("s", "5-0", fields("v", "a"), 0));

        assertThatThrownBy(() -> transport.append(List.of(
                new Append("s", "6-0", fields("v", "b"), 0),
                new Append("s", "1-0", fields("v", "refused"), 0),
                new Append("s", "7-0", fields("v", "c"), 0))))
                .isInstanceOf(TransportException.class)
                .hasMessageStartingWith("XADD was rejected by isolated in-memory store");

        assertThat(transport.range("s", "-", "+", 0)).extracting(StreamEntry::id).containsExactly("5-0", "6-0", "7-0");
    }

    @Test
    void rangeTakesExclusiveAndIncompleteIds() {
        for (String id : List.of("1-0", "1-1", "2-0", "3-0")) {
            transport.append(new Append("s", id, fields("v", id), 0));
        }

        assertThat(ids(transport.range("s", "1", "1", 0))).containsExactly("1-0", "1-1");
        assertThat(ids(transport.range("s", "(1-0", "(3-0", 0))).containsExactly("1-1", "2-0");
        assertThat(ids(transport.range("s", "2", "+", 0))).containsExactly("2-0", "3-0");
        assertThat(transport.range("s", "3", "1", 0)).isEmpty();
        assertThatThrownBy(() -> transport.range("s", "nope", "+", 0)).isInstanceOf(TransportException.class);
    }

    // ----------------------------------------------------------- stored values

    @Test
    void storedBytesAreIsolatedFromWritersAndReaders() {
        byte[] written = "original".getBytes(UTF_8);
        transport.append(new Append("s", null, Map.of("v", written), 0));
        written[0] = 'X';

        byte[] read = transport.range("s", "-", "+", 1).get(0).fields().get("v");
        read[1] = 'Y';

        assertThat(new String(transport.range("s", "-", "+", 1).get(0).fields().get("v"), UTF_8)).isEqualTo("original");
    }

    @Test
    void keysHoldOneTypeAtATime() {
        append("stream");
        transport.set("string", "v", null);

        assertThatThrownBy(() -> transport.get("stream"))
                .isInstanceOf(TransportException.class).hasMessageContaining("WRONGTYPE");
        assertThatThrownBy(() -> transport.append(new Append("string", null, fields("v", "x"), 0)))
                .isInstanceOf(TransportException.class).hasMessageContaining("WRONGTYPE");
        assertThatThrownBy(() -> transport.createGroup(List.of("string"), "g", "0"))
                .isInstanceOf(TransportException.class).hasMessageContaining("WRONGTYPE");
        assertThat(transport.getAll(List.of("stream", "string"))).containsExactly(Optional.empty(), Optional.of("v"));
        assertThat(transport.setIfAbsent("stream", "me", Duration.ofSeconds(1))).isFalse();

        transport.set("stream", "now a string", null);
        assertThat(transport.get("stream")).contains("now a string");
    }

    // ------------------------------------------------------------ time to live

    @Test
    void keysExpireExactlyLikeRedisPx() {
        transport.set("k", "v", Duration.ofMillis(200));

        assertThat(transport.timeToLive("k")).contains(Duration.ofMillis(200));
        monotonicClock.addAndGet(200);
        assertThat(transport.get("k")).as("alive at its deadline").contains("v");
        assertThat(transport.timeToLive("k")).contains(Duration.ZERO);
        monotonicClock.addAndGet(1);
        assertThat(transport.get("k")).as("gone just after it").isEmpty();
        assertThat(transport.timeToLive("k")).isEmpty();
    }

    @Test
    void timeToLiveRoundsUpToWholeMilliseconds() {
        transport.set("k", "v", Duration.ofNanos(1_000_001));

        assertThat(transport.timeToLive("k")).contains(Duration.ofMillis(2));
    }

    @Test
    void anExtendedLockOutlivesItsFirstDeadline() {
        assertThat(transport.setIfAbsent("lock", "me", Duration.ofMillis(100))).isTrue();
        monotonicClock.addAndGet(80);
        assertThat(transport.extendIfOwner("lock", "me", Duration.ofMillis(100))).isTrue();

        monotonicClock.addAndGet(100);
        transport.get("other"); // runs the sweep of due keys, which must skip the stale deadline

        assertThat(transport.get("lock")).contains("me");
        assertThat(transport.timeToLive("lock")).contains(Duration.ofMillis(0));
        monotonicClock.addAndGet(1);
        assertThat(transport.setIfAbsent("lock", "you", Duration.ofMillis(100))).isTrue();
        assertThat(transport.extendIfOwner("lock", "me", Duration.ofMillis(100))).isFalse();
        assertThat(transport.deleteIfOwner("lock", "me")).isFalse();
        assertThat(transport.deleteIfOwner("lock", "you")).isTrue();
    }

    @Test
    void setWithoutTtlMakesAKeyPersistent() {
        transport.set("k", "v", Duration.ofMillis(10));
        transport.set("k", "w", null);
        monotonicClock.addAndGet(1_000);

        assertThat(transport.get("k")).contains("w");
        assertThat(transport.timeToLive("k")).isEmpty();
    }

    @Test
    void keysExpireOnTheRealClockToo() {
        try (MemoryTransport real = MemoryTransport.create()) {
            assertThat(real.setIfAbsent("lock", "me", Duration.ofMillis(50))).isTrue();

            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(10)).until(() -> real.get("lock").isEmpty());

            assertThat(real.setIfAbsent("lock", "you", Duration.ofSeconds(60))).isTrue();
        }
    }

    // ------------------------------------------------------------------ groups

    @Test
    void createGroupStartsAfterAnExplicitIdOrTheLastIdEvenWhenTrimmed() {
        transport.append(new Append("s", "1-0", fields("v", "a"), 0));
        transport.append(new Append("s", "2-0", fields("v", "b"), 1));

        transport.createGroup(List.of("s"), "from-now", "$");
        transport.createGroup(List.of("s"), "after-one", "1");
        transport.append(new Append("s", "3-0", fields("v", "c"), 0));

        assertThat(ids(transport.readGroup("from-now", "c", Map.of("s", ">"), 0, null).get("s"))).containsExactly("3-0");
        assertThat(ids(transport.readGroup("after-one", "c", Map.of("s", ">"), 0, null).get("s")))
                .containsExactly("2-0", "3-0");
    }

    @Test
    void missingGroupsAreRefusedLikeRedisDoes() {
        append("s");

        assertThatThrownBy(() -> transport.pendingCount("s", "nope"))
                .isInstanceOf(TransportException.class).hasMessageContaining("NOGROUP");
        assertThatThrownBy(() -> transport.readGroup("nope", "c", Map.of("missing", ">"), 0, null))
                .isInstanceOf(TransportException.class).hasMessageContaining("NOGROUP");
        transport.ack("nope", Map.of("s", List.of("1-0"), "missing", List.of("1-0")));
        transport.destroyGroup(List.of("s", "missing"), "nope");
    }

    @Test
    void aReadGroupCheckEveryKeyBeforeDeliveringAny() {
        append("a");
        transport.createGroup(List.of("a"), "g", "0");
        Map<String, String> request = new LinkedHashMap<>();
        request.put("a", ">");
        request.put("b", ">");

        assertThatThrownBy(() -> transport.readGroup("g", "c", request, 0, null)).isInstanceOf(TransportException.class);

        assertThat(transport.pendingCount("a", "g")).isZero();
    }

    @Test
    void rereadingPendingEntriesNeverBlocks() {
        append("s");
        transport.createGroup(List.of("s"), "g", "$");
        long started = System.nanoTime();

        Map<String, List<StreamEntry>> result = transport.readGroup("g", "c", Map.of("s", "0-0"), 10, LONG_BLOCK);

        assertThat(result).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(LONG_BLOCK);
        assertThat(transport.blockedReads()).isZero();
    }

    // ----------------------------------------------------------- blocking reads

    @Test
    void aBlockedGroupReadWakesWhenAnotherThreadAppends() throws Exception {
        transport.createGroup(List.of("a", "b"), "g", "$");
        Future<Map<String, List<StreamEntry>>> read =
                threads.submit(() -> transport.readGroup("g", "c", Map.of("a", ">", "b", ">"), 10, LONG_BLOCK));
        awaitBlockedReads(transport, 1);

        long appended = System.nanoTime();
        String id = threads.submit(() -> append("b")).get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);

        Map<String, List<StreamEntry>> result = read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(result.keySet()).containsExactly("b");
        assertThat(ids(result.get("b"))).containsExactly(id);
        assertThat(Duration.ofNanos(System.nanoTime() - appended)).as("woken, not timed out").isLessThan(LONG_BLOCK);
        assertThat(transport.blockedReads()).isZero();
    }

    @Test
    void aBlockedReadFromDollarSeesOnlyWhatCameAfterItStarted() throws Exception {
        append("s");
        Future<List<StreamEntry>> read = threads.submit(() -> transport.read("s", "$", 10, LONG_BLOCK));
        awaitBlockedReads(transport, 1);

        String id = append("s");

        assertThat(ids(read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))).containsExactly(id);
    }

    @Test
    void aBlockedReaderThatLosesTheRaceKeepsWaiting() throws Exception {
        transport.createGroup(List.of("s"), "g", "$");
        Future<Map<String, List<StreamEntry>>> first =
                threads.submit(() -> transport.readGroup("g", "first", Map.of("s", ">"), 1, LONG_BLOCK));
        Future<Map<String, List<StreamEntry>>> second =
                threads.submit(() -> transport.readGroup("g", "second", Map.of("s", ">"), 1, LONG_BLOCK));
        awaitBlockedReads(transport, 2);

        String one = append("s");
        await().atMost(PATIENCE).until(() -> first.isDone() || second.isDone());
        assertThat(transport.blockedReads()).as("the other read is still waiting").isEqualTo(1);
        String two = append("s");

        List<String> delivered = new ArrayList<>();
        delivered.addAll(ids(first.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).get("s")));
        delivered.addAll(ids(second.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).get("s")));
        assertThat(delivered).containsExactlyInAnyOrder(one, two);
    }

    @Test
    void destroyingTheGroupFailsAReadBlockedOnIt() throws Exception {
        transport.createGroup(List.of("s"), "g", "$");
        Future<Map<String, List<StreamEntry>>> read =
                threads.submit(() -> transport.readGroup("g", "c", Map.of("s", ">"), 10, LONG_BLOCK));
        awaitBlockedReads(transport, 1);

        transport.destroyGroup(List.of("s"), "g");

        assertThatThrownBy(() -> read.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TransportException.class).hasMessageContaining("NOGROUP");
    }

    @Test
    void onAnInterruptedThreadACommandTakesEffectButFailsAsOnRedis() throws Exception {
        Future<Throwable> interrupted = threads.submit(() -> {
            Thread.currentThread().interrupt();
            try {
                transport.set("k", "v", null);
                return null;
            } catch (TransportException e) {
                return Thread.currentThread().isInterrupted() ? e : new AssertionError("interrupt lost", e);
            }
        });

        assertThat(interrupted.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                .isInstanceOf(TransportException.class).hasMessageContaining("SET was interrupted");
        assertThat(transport.get("k")).contains("v");
    }

    @Test
    void flushAllEmptiesTheStoreForEveryHandle() {
        try (MemoryTransport other = transport.newHandle()) {
            append("s");
            transport.set("k", "v", null);

            other.flushAll();

            assertThat(transport.length("s")).isZero();
            assertThat(transport.get("k")).isEmpty();
        }
    }

    // ---------------------------------------------------------------- throughput

    @Test
    void concurrentProducersAndConsumersDeliverEveryEntryOnceInOrder() throws Exception {
        int keys = 4;
        int producers = 4;
        int perProducer = 5_000;
        List<String> streams = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            streams.add("s" + k);
        }
        transport.createGroup(streams, "g", "0");
        Map<String, String> request = new LinkedHashMap<>();
        streams.forEach(key -> request.put(key, ">"));

        List<Future<?>> work = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            work.add(threads.submit(() -> {
                for (int n = 0; n < perProducer; n += 100) {
                    List<Append> batch = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        batch.add(new Append(streams.get(i % keys), null, fields("n", Integer.toString(n + i)), 0));
                    }
                    transport.append(batch);
                }
                return null;
            }));
        }
        int total = producers * perProducer;
        AtomicLong consumed = new AtomicLong();
        List<Future<Map<String, List<String>>>> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            String consumer = "c" + c;
            consumers.add(threads.submit(() -> {
                Map<String, List<String>> seen = new HashMap<>();
                while (consumed.get() < total) {
                    Map<String, List<StreamEntry>> read = transport.readGroup("g", consumer, request, 100,
                            Duration.ofMillis(20));
                    Map<String, List<String>> acks = new HashMap<>();
                    read.forEach((key, entries) -> {
                        seen.computeIfAbsent(key, k -> new ArrayList<>()).addAll(ids(entries));
                        acks.put(key, ids(entries));
                        consumed.addAndGet(entries.size());
                    });
                    transport.ack("g", acks);
                }
                return seen;
            }));
        }
        for (Future<?> producer : work) {
            producer.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        }
        Map<String, List<String>> delivered = new HashMap<>();
        for (Future<Map<String, List<String>>> consumer : consumers) {
            consumer.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).forEach((key, ids) -> {
                assertThat(ids).as("one consumer sees a key's entries in order").isSortedAccordingTo(
                        (x, y) -> StreamId.parse(x, 0).compareTo(StreamId.parse(y, 0)));
                delivered.computeIfAbsent(key, k -> new ArrayList<>()).addAll(ids);
            });
        }
        for (String key : streams) {
            assertThat(delivered.get(key)).as("every entry once")
                    .doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(ids(transport.range(key, "-", "+", 0)));
            assertThat(transport.pendingCount(key, "g")).isZero();
        }
        assertThat(consumed.get()).isEqualTo(total);
    }

    // ------------------------------------------------------------------ helpers

    static void awaitBlockedReads(MemoryTransport transport, int atLeast) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> transport.blockedReads() >= atLeast);
    }

    static Map<String, byte[]> fields(String name, String value) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put(name, value.getBytes(UTF_8));
        return fields;
    }

    static List<String> ids(List<StreamEntry> entries) {
        return entries.stream().map(StreamEntry::id).toList();
    }

    private String append(String key) {
        return append(transport, key);
    }

    static String append(Transport transport, String key) {
        return transport.append(new Append(key, null, fields("v", "x"), 0));
    }
}
