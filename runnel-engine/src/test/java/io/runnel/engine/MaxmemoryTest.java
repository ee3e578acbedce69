// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.transport.ServerOutOfMemory;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Workers on a Redis whose memory is full: {@code maxmemory} set just above what it uses, on a
 * server of this class's own under {@code noeviction}, then filled by sends until Redis
 * refuses one, as a production Redis fills. What frees memory (processing, acks, retention)
 * and what keeps the workers coordinated (heartbeats, locks, membership) must keep working,
 * so the pipeline drains and recovers without a hand on it, and nothing is lost.
 */
@Tag("redis")
class MaxmemoryTest extends RedisBackedTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int KEYS = 8;
    private static final int PARTITIONS = 4;
    /** How much the sends may add before Redis refuses them. */
    private static final long HEADROOM = 2 * 1024 * 1024;
    /**
     * How far below what the server uses maxmemory is left once it is full. Redis gives back
     * idle clients' query buffers by itself (its clients cron), some 300 KB over a few seconds
     * with three workers' connections: a smaller margin let the server slip below maxmemory
     * while a test still needed it full.
     */
    private static final long MARGIN = 1024 * 1024;
    private static final String PAYLOAD = "x".repeat(1024);
    private static RedisServer server;

    /** A record with a kilobyte of payload, so a few thousand fill the headroom. */
    record Bulky(String key, int seq, String payload) {
    }

    @BeforeAll
    static void startServer() {
        server = RedisServer.start("--maxmemory-policy", "noeviction");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @AfterEach
    void emptyServer() {
        apps.afterEach(null); // workers stop before the server is emptied under them
        server.call("CONFIG", "SET", "maxmemory", "0");
        server.flushAll();
    }

    private App app(TransportKind transport, String name, Consumer<App.Builder> settings) {
        return apps.app(transport, name, b -> {
            b.redisUrl(server.url()).setting("default_partition_count", PARTITIONS);
            settings.accept(b);
        });
    }

    @SuppressWarnings("unchecked")
    private static Stream<Bulky> bulky(App app) {
        return (Stream<Bulky>) app.streamNamed("bulky");
    }

    /**
     * Sets maxmemory {@link #HEADROOM} above what the server uses and sends one record at a
     * time, round the keys, until Redis refuses one. Then lowers maxmemory to a little below
     * what the server uses, so that the small ups and downs of its client buffers cannot take
     * it back under the limit by chance: the memory stays full until something is freed.
     *
     * @return per key, how many of its records were sent (a refused send appended nothing)
     */
    private Map<String, Integer> fill(App app) {
        server.call("CONFIG", "SET", "maxmemory", Long.toString(usedMemory() + HEADROOM));
        Map<String, Integer> sent = new LinkedHashMap<>();
        for (int k = 0; k < KEYS; k++) {
            sent.put("key-" + k, 0);
        }
        long before = refusals(app);
        for (int round = 0; round < 100_000; round++) {
            String key = "key-" + (round % KEYS);
            int seq = sent.get(key);
            try {
                bulky(app).send(new Bulky(key, seq, PAYLOAD));
            } catch (ServerOutOfMemory refused) {
                assertThat(refused.getMessage()).contains("maxmemory").contains(ServerOutOfMemory.REMEDY);
                assertThat(refusals(app)).as("the app's redis-oom meter").isEqualTo(before + 1);
                server.call("CONFIG", "SET", "maxmemory", Long.toString(usedMemory() - MARGIN));
                return sent;
            }
            sent.put(key, seq + 1);
        }
        throw new AssertionError("Redis took 100,000 sends without refusing one");
    }

    private static long usedMemory() {
        for (String line : String.valueOf(server.call("INFO", "memory")).split("\\r?\\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).trim());
            }
        }
        throw new AssertionError("no used_memory in INFO memory");
    }

    private static String maxmemory() {
        return String.valueOf(((List<?>) server.call("CONFIG", "GET", "maxmemory")).get(1));
    }

    private static long refusals(App app) {
        return app.metrics().meter("runnel." + app.name() + ".redis-oom").getCount();
    }

    private static long length(App app) {
        Stream<Bulky> stream = bulky(app);
        long total = 0;
        for (int p = 0; p < stream.partitionCount(); p++) {
            total += app.transport().length(stream.partitionKey(p));
        }
        return total;
    }

    private static void assertExactlyOnceInOrder(ProcessedLog log, Map<String, Integer> sent) {
        Map<String, List<Integer>> seen = log.snapshot();
        sent.forEach((key, n) -> assertThat(seen.getOrDefault(key, List.of())).as("events of %s", key)
                .containsExactlyElementsOf(IntStream.range(0, n).boxed().toList()));
    }

    /**
     * Finding 4 of issue 29: memory runs out before a partition's first retention pass (the
     * workers that created the groups made none). A worker that starts then joins, takes its
     * partitions, processes and acknowledges the backlog, and its retention passes (the first
     * ever on these partitions) trim it, so sends are served again while maxmemory stays
     * where it was.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void a_full_redis_drains_and_trims_before_any_retention_pass_and_sends_are_served_again(TransportKind transport)
            throws Exception {
        String name = TestApps.uniqueName("oomdrain");
        ProcessedLog processed = new ProcessedLog();
        Consumer<App> define = app -> {
            Stream<Bulky> stream = app.stream("bulky", Bulky.class, Bulky::key);
            app.processor(stream, "billing", events -> {
                for (Bulky b : events.records()) {
                    processed.add(b.key(), b.seq());
                }
            });
        };
        // The processor's groups exist, and no retention pass ever ran on its partitions.
        App earlier = app(transport, name, b -> b.setting("default_retention_interval", "1h"));
        define.accept(earlier);
        Worker first = earlier.worker().start();
        await().atMost(PATIENCE).until(() -> first.ownedPartitions("billing").size() == PARTITIONS);
        first.stop();
        assertThat(earlier.transport().getHash(earlier.processor("billing").retentionKey(0))).isEmpty();

        App app = app(transport, name, b -> b.setting("default_retention_interval", "200ms"));
        define.accept(app);
        Logger sendLog = (Logger) LoggerFactory.getLogger(SendRefusals.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        sendLog.addAppender(logs);
        Map<String, Integer> sent;
        try {
            sent = fill(app);
            for (int i = 0; i < 3; i++) {
                assertThat(catchThrowable(() -> bulky(app).send(new Bulky("key-0", -1, PAYLOAD))))
                        .isInstanceOf(ServerOutOfMemory.class);
            }
            assertThat(refusals(app)).isEqualTo(4);
            assertThat(logs.list).as("one warning for the episode").singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains(ServerOutOfMemory.REMEDY);
            });
        } finally {
            sendLog.detachAppender(logs);
        }
        String limit = maxmemory();
        int total = sent.values().stream().mapToInt(Integer::intValue).sum();

        Worker worker = app.worker().start();
        await().atMost(PATIENCE).until(() -> processed.count() >= total);
        await().atMost(PATIENCE).until(() -> length(app) <= PARTITIONS); // each partition keeps its last delivered entry
        await().atMost(PATIENCE).until(() -> app.transport().serverMemory().stream().noneMatch(m -> m.full()));

        assertThat(bulky(app).send(new Bulky("key-0", sent.get("key-0"), PAYLOAD))).as("a send after the trims").isNotBlank();
        assertThat(maxmemory()).as("maxmemory, untouched").isEqualTo(limit);
        await().atMost(PATIENCE).until(() -> processed.count() == total + 1);
        sent.merge("key-0", 1, Integer::sum);
        assertExactlyOnceInOrder(processed, sent);
        worker.stop();
    }

    /** Workers running {@code billing} on a full Redis, whose memory {@code archive} (never run) holds. */
    private record Full(App app, List<Worker> workers, ProcessedLog processed, Map<String, Integer> sent) {
    }

    /** The app's stream, {@code billing} (into {@code processed}) and {@code archive}, which never runs. */
    private App define(TransportKind transport, String name, ProcessedLog processed, Consumer<App.Builder> settings) {
        App app = app(transport, name, b -> {
            b.setting("default_lock_expiry", "2s").setting("default_grace_period", "1s")
                    .setting("default_retention_interval", "200ms");
            settings.accept(b);
        });
        Stream<Bulky> stream = app.stream("bulky", Bulky.class, Bulky::key);
        app.processor(stream, "billing", events -> {
            for (Bulky b : events.records()) {
                processed.add(b.key(), b.seq());
            }
        });
        app.processor(stream, "archive", events -> {
            throw new AssertionError("archive never runs");
        });
        return app;
    }

    /**
     * Starts {@code dynamic} workers of {@code billing}, and one of a static member if
     * {@code staticMember} is not null (another process: an app of the same name with that
     * {@code member_id}), lets them process some events (so retention passes have run), then
     * fills Redis. Processor {@code archive} has its groups but no worker: what it has not
     * read cannot be trimmed, so memory stays full.
     */
    private Full full(TransportKind transport, String prefix, int dynamic, String staticMember) {
        String name = TestApps.uniqueName(prefix);
        ProcessedLog processed = new ProcessedLog();
        App app = define(transport, name, processed, b -> { });
        app.prepare(app.processor("archive"));
        List<Worker> started = new ArrayList<>();
        for (int i = 0; i < dynamic; i++) {
            started.add(app.worker("billing").start());
        }
        if (staticMember != null) {
            started.add(define(transport, name, processed, b -> b.setting("member_id", staticMember)).worker("billing").start());
        }
        await().atMost(PATIENCE).until(() -> ownedByAll(started) == PARTITIONS);
        bulky(app).sendAll(List.of(new Bulky("key-0", 0, PAYLOAD), new Bulky("key-1", 0, PAYLOAD)));
        await().atMost(PATIENCE).until(() -> processed.count() == 2);
        Processor<?> billing = app.processor("billing");
        await().atMost(PATIENCE).until(() -> IntStream.range(0, PARTITIONS)
                .allMatch(p -> !app.transport().getHash(billing.retentionKey(p)).isEmpty()));
        Map<String, Integer> sent = fill(app);
        return new Full(app, started, processed, sent);
    }

    private static int ownedByAll(List<Worker> workers) {
        Set<Integer> all = new TreeSet<>();
        int owned = 0;
        for (Worker w : workers) {
            Set<Integer> mine = w.ownedPartitions("billing");
            owned += mine.size();
            all.addAll(mine);
        }
        return owned == all.size() ? all.size() : -1; // -1: a partition owned twice
    }

    /** Every member of {@code billing} holds exactly the partitions the membership assigns it, and all are assigned. */
    private static boolean settled(App app, int members) {
        ProcessorStatus billing = app.status().processor("billing");
        if (billing.members().size() != members) {
            return false;
        }
        Set<Integer> assigned = new TreeSet<>();
        for (MemberStatus m : billing.members()) {
            for (int p : m.partitions()) {
                if (!billing.partition(p).owner().equals(java.util.Optional.of(m.executor()))) {
                    return false;
                }
                assigned.add(p);
            }
        }
        return assigned.size() == PARTITIONS;
    }

    /**
     * Finding 5 of issue 29: heartbeats, and a static member's reservation, are renewed on a
     * full Redis, so every member stays alive, none is found dead and reaped, and nothing
     * rebalances, through several lock_expiry periods of a full memory.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void heartbeats_are_renewed_on_a_full_redis_so_the_membership_does_not_churn(TransportKind transport) {
        Full full = full(transport, "oomchurn", 2, "static-1");
        App app = full.app();
        String reservation = app.processor("billing").reservationKey("static-1");
        long generation = app.status().processor("billing").assignmentGeneration();
        long rebalances = app.metrics().timer("runnel." + app.name() + ".billing.rebalances").getCount();
        long lost = app.metrics().meter("runnel." + app.name() + ".billing.partitions-lost").getCount();
        assertThat(app.transport().serverMemory()).allSatisfy(m -> assertThat(m.full()).isTrue());

        // Three lock_expiry periods: long enough for an unrenewed heartbeat to expire and be reaped.
        await().during(Duration.ofSeconds(6)).atMost(PATIENCE).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    ProcessorStatus billing = app.status().processor("billing");
                    return billing.assignmentGeneration() == generation && settled(app, 3)
                            && billing.members().stream().allMatch(m -> m.heartbeatAge().isPresent())
                            && app.transport().timeToLive(reservation).isPresent();
                });

        assertThat(app.transport().serverMemory()).as("still full").allSatisfy(m -> assertThat(m.full()).isTrue());
        assertThat(app.metrics().timer("runnel." + app.name() + ".billing.rebalances").getCount()).isEqualTo(rebalances);
        assertThat(app.metrics().meter("runnel." + app.name() + ".billing.partitions-lost").getCount()).isEqualTo(lost);
        full.workers().forEach(Worker::stop);
    }

    /**
     * A worker joining a full Redis, and one leaving it, rebalance: the partitions are
     * acquired (fencing epoch and locks are coordination keys, written at maxmemory), and the
     * announcement Redis refuses is logged, the others seeing the change at their next check.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void a_rebalance_on_a_full_redis_acquires_every_partition(TransportKind transport) {
        Logger membershipLog = (Logger) LoggerFactory.getLogger(Membership.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        membershipLog.addAppender(logs);
        try {
            Full full = full(transport, "oomjoin", 2, null);
            App app = full.app();
            long generation = app.status().processor("billing").assignmentGeneration();

            Worker joining = app.worker("billing").start();
            await().atMost(PATIENCE).until(() -> settled(app, 3));
            assertThat(app.status().processor("billing").assignmentGeneration()).isEqualTo(generation + 1);
            assertThat(joining.ownedPartitions("billing")).isNotEmpty();
            assertThat(logs.list).anySatisfy(e -> {
                assertThat(e.getLevel()).isEqualTo(Level.WARN);
                assertThat(e.getFormattedMessage()).contains("announcing it on").contains("next periodic check")
                        .contains("maxmemory");
            });

            full.workers().get(0).stop();
            await().atMost(PATIENCE).until(() -> settled(app, 2));
            assertThat(app.transport().serverMemory()).as("full throughout").allSatisfy(m -> assertThat(m.full()).isTrue());
            joining.stop();
            full.workers().get(1).stop();
        } finally {
            membershipLog.detachAppender(logs);
        }
    }

    /**
     * A delivery that fails on a full Redis is not acknowledged until its dead letter is
     * stored: the append is refused, so the partition waits and tries again, and once memory
     * is freed (here the operator deletes what filled it) the dead letter is written and the
     * event acknowledged.
     */
    /** What the exactly_once counter sends: a key's count after this record. */
    record Count(String key, long n) {
    }

    /**
     * An exactly_once processor on a full Redis: its commits (flagged scripts) are refused
     * before they write anything and are retried, with a warning; when the operator frees
     * memory they go, and every key's state and counts are exact, each count sent once.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void exactly_once_commits_wait_for_memory_and_lose_nor_repeat_anything(TransportKind transport) {
        App app = app(transport, TestApps.uniqueName("oomeos"), b -> { });
        // The events are processed only once the memory is full, so their commits meet it.
        CountDownLatch full = new CountDownLatch(1);
        Stream<Bulky> stream = app.stream("bulky", Bulky.class, Bulky::key);
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        app.processor(stream, "counter", o -> o.processingGuarantee(io.runnel.api.ProcessingGuarantee.EXACTLY_ONCE),
                ProcessorFunction.<Bulky>eachRecordWithContext((b, context) -> {
                    full.await();
                    long n = context.state("counts", Long.class).merge(b.key(), 1L, Long::sum);
                    context.send(counts, new Count(b.key(), n));
                }));
        Logger ackerLog = (Logger) LoggerFactory.getLogger(Acker.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        ackerLog.addAppender(logs);
        try {
            Worker worker = app.worker("counter").start();
            await().atMost(PATIENCE).until(() -> worker.ownedPartitions("counter").size() == PARTITIONS);
            int perKey = 5;
            List<Bulky> events = new ArrayList<>();
            for (int seq = 0; seq < perKey; seq++) {
                for (int k = 0; k < KEYS; k++) {
                    events.add(new Bulky("key-" + k, seq, "x"));
                }
            }
            stream.sendAll(events);
            server.call("CONFIG", "SET", "maxmemory", "1"); // whatever it uses is over the limit now
            full.countDown();
            await().atMost(PATIENCE).until(() -> logs.list.stream().anyMatch(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("memory is full")));
            assertThat(app.transport().getHash(app.processor("counter").stateKey("counts", 0)))
                    .as("nothing of a refused commit written").isEmpty();
            assertThat(length(app, counts)).isZero();

            server.call("CONFIG", "SET", "maxmemory", "0"); // the operator's remedy
            await().atMost(PATIENCE).until(() -> CommittedEffects.pending(app, "counter") == 0
                    && CommittedEffects.committed(app, "counter", "counts").values().stream()
                    .mapToLong(Long::longValue).sum() == (long) KEYS * perKey);
            worker.stop();

            Map<String, List<Long>> perKeyCounts = new LinkedHashMap<>();
            for (int p = 0; p < counts.partitionCount(); p++) {
                for (var e : app.transport().range(counts.partitionKey(p), "-", "+", 0)) {
                    Count c = counts.codec().decode(e.fields());
                    perKeyCounts.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c.n());
                }
            }
            assertThat(perKeyCounts).hasSize(KEYS).allSatisfy((key, ns) ->
                    assertThat(ns).as(key).containsExactly(1L, 2L, 3L, 4L, 5L));
        } finally {
            ackerLog.detachAppender(logs);
        }
    }

    private static long length(App app, Stream<?> stream) {
        long total = 0;
        for (int p = 0; p < stream.partitionCount(); p++) {
            total += app.transport().length(stream.partitionKey(p));
        }
        return total;
    }

    @Test
    void a_failed_event_waits_for_its_dead_letter_while_the_redis_is_full() {
        String name = TestApps.uniqueName("oomdead");
        AtomicInteger tries = new AtomicInteger();
        // The poison event fails only once the memory is full again: were it to fail in between,
        // its dead letter would be stored (and the event acknowledged) while the limit is lifted.
        CountDownLatch fullAgain = new CountDownLatch(1);
        App app = app(TransportKind.LETTUCE, name, b -> { });
        Stream<Bulky> stream = app.stream("bulky", Bulky.class, Bulky::key);
        app.processor(stream, "billing", o -> o.deadLetters().exceptionPolicy(ExceptionPolicy.IGNORE), events -> {
            for (Bulky b : events.records()) {
                if (b.key().equals("poison")) {
                    tries.incrementAndGet();
                    try {
                        fullAgain.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new IllegalStateException("poison " + b.seq());
                }
            }
        });
        app.processor(stream, "archive", events -> {
            throw new AssertionError("archive never runs");
        });
        app.prepare(app.processor("archive"));
        Worker worker = app.worker("billing").start();
        await().atMost(PATIENCE).until(() -> worker.ownedPartitions("billing").size() == PARTITIONS);
        Map<String, Integer> sent = fill(app);
        String key = stream.partitionKey(stream.partitionFor("poison"));
        String deadLetters = stream.deadLetters().partitionKey(0);
        await().atMost(PATIENCE).until(() -> IntStream.range(0, PARTITIONS).allMatch(p ->
                app.transport().groupInfo(stream.partitionKey(p), "billing").orElseThrow().pending() == 0));
        long refusedBefore = refusals(app);

        // The poison event goes in while the limit is lifted for it, then the memory is full again.
        String limit = maxmemory();
        server.call("CONFIG", "SET", "maxmemory", "0");
        stream.send(new Bulky("poison", sent.getOrDefault("poison", 0), "p"));
        server.call("CONFIG", "SET", "maxmemory", limit);
        fullAgain.countDown();
        // Until its dead letter was refused (and counted), or, should it be acknowledged unstored, its ack.
        await().atMost(PATIENCE).until(() -> tries.get() == 1
                && (refusals(app) > refusedBefore || app.transport().pendingCount(key, "billing") == 0));

        assertThat(app.transport().pendingCount(key, "billing")).as("the failed event, unacknowledged").isEqualTo(1);
        assertThat(app.transport().length(deadLetters)).isZero();

        server.call("CONFIG", "SET", "maxmemory", "0"); // the operator's remedy
        await().atMost(PATIENCE).until(() -> app.transport().length(deadLetters) == 1);
        await().atMost(PATIENCE).until(() -> app.transport().pendingCount(key, "billing") == 0);
        assertThat(tries.get()).as("processed once, dead-lettered once").isEqualTo(1);
        worker.stop();
    }
}
