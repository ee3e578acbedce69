// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Misconfigured;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static io.runnel.engine.CommittedEffects.committed;
import static io.runnel.engine.CommittedEffects.pending;
import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Processors with a context: state changes commit with the ack, and under
 * {@code exactly_once} sends do too, in one script fenced by the partition's lease.
 */
@Tag("redis")
class ExactlyOnceTest extends RedisBackedTest {

    /** What the counting processor sends: the key's count after this event. */
    record Count(String key, long n) {
    }

    /** A step of the counting handler, run before it counts (e.g. to fail, or to steal the lock). */
    @FunctionalInterface
    private interface Before {
        void run(Order order, App app) throws Exception;
    }

    private App app(TransportKind transport, int partitions, Consumer<ProcessorOptions> options, Before before) {
        App app = apps.app(transport, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", partitions));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        app.processor(orders, "counter", options, ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
            before.run(order, app);
            long n = context.state("counts", Long.class).merge(order.key(), 1L, Long::sum);
            context.send(counts, new Count(order.key(), n));
        }));
        app.processor(counts, "last", options, ProcessorFunction.<Count>eachRecordWithContext((count, context) ->
                context.state("last", Long.class).put(count.key(), count.n())));
        return app;
    }

    @SuppressWarnings("unchecked")
    private static <T> Stream<T> stream(App app, String name) {
        return (Stream<T>) app.streamNamed(name);
    }

    /** Every record of a stream, partition by partition, in stream order. */
    private static <T> List<T> records(App app, String name) {
        Stream<T> stream = stream(app, name);
        List<T> out = new ArrayList<>();
        for (int p = 0; p < stream.partitionCount(); p++) {
            for (StreamEntry e : app.transport().range(stream.partitionKey(p), "-", "+", 0)) {
                out.add(stream.codec().decode(e.fields()));
            }
        }
        return out;
    }



    /** The counts sent per key, in stream order. */
    private static Map<String, List<Long>> sentPerKey(App app) {
        Map<String, List<Long>> out = new TreeMap<>();
        for (Count c : ExactlyOnceTest.<Count>records(app, "counts")) {
            out.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c.n());
        }
        return out;
    }

    private static List<Long> oneTo(int n) {
        List<Long> out = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            out.add(i);
        }
        return out;
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_counting_pipeline_counts_each_event_once_and_sends_one_count_per_event_in_order(TransportKind transport) {
        int keys = 200;
        int perKey = 5;
        App app = app(transport, 4, o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE).maxInFlight(8),
                (order, a) -> { });
        ExactlyOnceTest.<Order>stream(app, "orders").sendAll(TestApps.orders(keys, perKey));

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> committed(app, "last", "last").size() == keys
                && committed(app, "last", "last").values().stream().allMatch(n -> n == perKey)
                && pending(app, "counter") == 0 && pending(app, "last") == 0);
        worker.stop();

        Map<String, Long> counts = committed(app, "counter", "counts");
        assertThat(counts).hasSize(keys).allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(perKey));
        Map<String, List<Long>> sent = sentPerKey(app);
        assertThat(sent).hasSize(keys).allSatisfy((key, ns) -> assertThat(ns).as(key).isEqualTo(oneTo(perKey)));

        // An interactive query reads the committed state from each key's partition.
        CommittedState<Long> query = app.state("counter", "counts", Long.class);
        for (int k = 0; k < keys; k += 17) {
            assertThat(query.get("key-" + k)).as("key-%s", k).isEqualTo(perKey);
        }
        assertThat(query.get("no-such-key")).isNull();
        assertThat(app.state("last", "last", Long.class).get("key-3")).isEqualTo(perKey);
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_commit_after_the_lease_was_lost_writes_nothing_and_the_next_owner_counts_once(TransportKind transport) {
        AtomicInteger runs = new AtomicInteger();
        App app = app(transport, 1, o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                stealLockOnFirstRun(runs));
        ExactlyOnceTest.<Order>stream(app, "orders").send(new Order("k", 0));

        Worker worker = app.worker("counter").start();
        await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= 2 && pending(app, "counter") == 0);
        worker.stop();

        assertThat(sentPerKey(app)).as("one count, from the second run").isEqualTo(Map.of("k", List.of(1L)));
        assertThat(committed(app, "counter", "counts")).isEqualTo(Map.of("k", 1L));
    }

    @ParameterizedTest
    @TransportKind.Every
    void at_least_once_the_same_lost_lease_sends_twice_but_counts_once(TransportKind transport) {
        AtomicInteger runs = new AtomicInteger();
        App app = app(transport, 1, o -> o.processingGuarantee(ProcessingGuarantee.AT_LEAST_ONCE),
                stealLockOnFirstRun(runs));
        ExactlyOnceTest.<Order>stream(app, "orders").send(new Order("k", 0));

        Worker worker = app.worker("counter").start();
        await().atMost(Duration.ofSeconds(30)).until(() -> runs.get() >= 2 && pending(app, "counter") == 0);
        worker.stop();

        assertThat(sentPerKey(app)).as("the first run's send went out at once").isEqualTo(Map.of("k", List.of(1L, 1L)));
        assertThat(committed(app, "counter", "counts")).as("state commits with the ack").isEqualTo(Map.of("k", 1L));
    }

    /**
     * On its first run the handler sets the partition's lock to another token (for 1 s), as a
     * new owner would after this executor froze: the commit that follows is refused.
     */
    private static Before stealLockOnFirstRun(AtomicInteger runs) {
        return (order, app) -> {
            if (runs.incrementAndGet() == 1) {
                // A Java owner's token (executor:epoch); a bare id would be a Python worker's.
                app.transport().set(app.processor("counter").lockKey(0), "thief:1", Duration.ofSeconds(1));
            }
        };
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_retry_starts_from_the_committed_state_and_only_its_last_try_commits(TransportKind transport) {
        AtomicInteger tries = new AtomicInteger();
        App app = apps.app(transport, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE)
                        .retry(3, Duration.ofMillis(1), Duration.ofMillis(1), 1, 0),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                    long n = context.state("counts", Long.class).merge(order.key(), 1L, Long::sum);
                    context.send(counts, new Count(order.key(), n));
                    if (tries.incrementAndGet() < 3) {
                        throw new IllegalStateException("flaky, after staging");
                    }
                }));
        orders.send(new Order("k", 0));

        Worker worker = app.worker("counter").start();
        await().atMost(Duration.ofSeconds(30)).until(() -> pending(app, "counter") == 0 && tries.get() == 3);
        worker.stop();

        assertThat(sentPerKey(app)).isEqualTo(Map.of("k", List.of(1L)));
        assertThat(committed(app, "counter", "counts")).isEqualTo(Map.of("k", 1L));
    }

    @ParameterizedTest
    @TransportKind.Every
    void an_ignored_failure_drops_what_it_staged_and_keeps_what_came_before(TransportKind transport) {
        App app = apps.app(transport, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE)
                        .exceptionPolicy(ExceptionPolicy.IGNORE),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                    long n = context.state("counts", Long.class).merge(order.key(), 1L, Long::sum);
                    context.send(counts, new Count(order.key(), n));
                    if (order.seq() == 1) {
                        throw new IllegalStateException("poison, after staging");
                    }
                }));
        orders.sendAll(List.of(new Order("k", 0), new Order("k", 1), new Order("k", 2)));

        Worker worker = app.worker("counter").start();
        await().atMost(Duration.ofSeconds(30)).until(() -> pending(app, "counter") == 0
                && committed(app, "counter", "counts").equals(Map.of("k", 2L)));
        worker.stop();

        assertThat(sentPerKey(app)).as("seq 1's count was dropped with it").isEqualTo(Map.of("k", List.of(1L, 2L)));
    }

    /**
     * A key's first event succeeds, its second is parked; the partition is kept busy (150 events
     * of other keys that block, more than its prefetch: its consumer never waits for events,
     * when it would commit), and commits are a minute apart. The first event's effects must be
     * committed before the second is parked: else a crash now would have the next owner process
     * the first again, behind the second, in the parked stream.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void a_failure_is_parked_only_after_what_its_partition_completed_before_is_committed(int maxInFlight)
            throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE)
                        .exceptionPolicy(ExceptionPolicy.PARK).commitInterval(Duration.ofMinutes(1)).maxInFlight(maxInFlight),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                    if (order.key().startsWith("busy-")) {
                        blocking.countDown();
                        release.await();
                        return;
                    }
                    long n = context.state("counts", Long.class).merge(order.key(), 1L, Long::sum);
                    context.send(counts, new Count(order.key(), n));
                    if (order.seq() == 1) {
                        throw new IllegalStateException("poison");
                    }
                }));
        Worker worker = app.worker("counter").start();
        try {
            // A first event, committed, so that k's first is not a slow first delivery (which hands over at once).
            orders.send(new Order("warm", 0));
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(app, "counter", "counts").containsKey("warm"));
            List<Order> sent = new ArrayList<>(List.of(new Order("k", 0), new Order("k", 1)));
            for (int i = 0; i < 150; i++) {
                sent.add(new Order("busy-" + i, 0));
            }
            orders.sendAll(sent);
            await().atMost(Duration.ofSeconds(30)).until(() -> blocking.getCount() == 0
                    && app.parkedKeys("counter").list().size() == 1);
            assertThat(committed(app, "counter", "counts")).as("k's first event committed, the partition still busy")
                    .isEqualTo(Map.of("warm", 1L, "k", 1L));
            assertThat(sentPerKey(app)).isEqualTo(Map.of("warm", List.of(1L), "k", List.of(1L)));
        } finally {
            release.countDown();
            worker.stop();
        }
    }

    /** An exception policy, with or without dead letters, as a test parameter. */
    enum Handling {
        IGNORE, IGNORE_TO_DEAD_LETTERS, PARK, QUARANTINE, HALT;

        void apply(ProcessorOptions o) {
            switch (this) {
                case IGNORE -> o.exceptionPolicy(ExceptionPolicy.IGNORE);
                case IGNORE_TO_DEAD_LETTERS -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters();
                case PARK -> o.exceptionPolicy(ExceptionPolicy.PARK);
                case QUARANTINE -> o.exceptionPolicy(ExceptionPolicy.QUARANTINE);
                case HALT -> o.exceptionPolicy(ExceptionPolicy.HALT);
            }
        }
    }

    /**
     * Under every policy, a delivery that fails for good after staging a send and a state change
     * leaves neither behind, while what the key's earlier event did is committed.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Handling.class)
    void a_failure_under_each_policy_leaves_nothing_it_staged(Handling handling) {
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        AtomicInteger failures = new AtomicInteger();
        app.processor(orders, "counter", o -> {
            o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE);
            handling.apply(o);
        }, ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
            long n = context.state("counts", Long.class).merge(order.key(), 1L, Long::sum);
            context.send(counts, new Count(order.key(), n));
            if (order.seq() == 1) {
                failures.incrementAndGet();
                throw new IllegalStateException("poison, after staging");
            }
        }));
        orders.sendAll(List.of(new Order("k", 0), new Order("k", 1)));

        Worker worker = app.worker("counter").start();
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> failures.get() == 1 && switch (handling) {
                case IGNORE, IGNORE_TO_DEAD_LETTERS -> pending(app, "counter") == 0;
                case PARK -> app.parkedKeys("counter").list().size() == 1;
                case QUARANTINE -> worker.poisonedPartitions("counter").contains(0);
                case HALT -> worker.awaitStopped(Duration.ZERO);
            });
            // What k's first event did is committed before the failure is handled; the second's is not.
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(app, "counter", "counts").equals(Map.of("k", 1L)));
            assertThat(sentPerKey(app)).isEqualTo(Map.of("k", List.of(1L)));
            if (handling == Handling.IGNORE_TO_DEAD_LETTERS) {
                assertThat(app.deadLetters("orders").list(10)).hasSize(1);
            }
        } finally {
            worker.stop();
        }
        assertThat(committed(app, "counter", "counts")).isEqualTo(Map.of("k", 1L));
        assertThat(sentPerKey(app)).isEqualTo(Map.of("k", List.of(1L)));
    }

    @ParameterizedTest
    @TransportKind.Every
    void state_reads_see_the_partitions_uncommitted_writes_and_values_round_trip(TransportKind transport) {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        App app = apps.app(transport, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        // A long commit interval: the key's later events run before its first one commits.
        app.processor(orders, "history", o -> o.commitInterval(Duration.ofMinutes(1)),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                    KeyedState<Order> last = context.state("last", Order.class);
                    Order before = last.get(order.key());
                    seen.add(before == null ? "none" : "seq " + before.seq() + " at " + before.amount());
                    last.put(order.key(), order);
                }));
        orders.sendAll(List.of(new Order("k", 0), new Order("k", 1), new Order("k", 2)));

        Worker worker = app.worker("history").start();
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 3);
        worker.stop(); // commits what is left before the lock goes

        assertThat(seen).containsExactly("none", "seq 0 at " + new Order("k", 0).amount(),
                "seq 1 at " + new Order("k", 1).amount());
        Optional<byte[]> stored = app.transport().hashValues(app.processor("history").stateKey("last", 0), List.of("k"))
                .get(0);
        assertThat(stored).isPresent();
        assertThat(new String(stored.get(), StandardCharsets.UTF_8)).contains("\"seq\":2");
        assertThat(pending(app, "history")).isZero();
    }

    /**
     * A Python runnel worker (its lock value a bare executor id, with no fencing epoch) holding a
     * partition of an exactly_once processor stops the Java worker with the reason; under
     * at_least_once it is let be.
     */
    @ParameterizedTest
    @TransportKind.Every
    void an_exactly_once_worker_refuses_to_run_beside_a_python_worker(TransportKind transport) throws Exception {
        for (ProcessingGuarantee guarantee : ProcessingGuarantee.values()) {
            App app = apps.app(transport, TestApps.uniqueName("eospy"), b -> b.setting("default_partition_count", 2));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            app.processor(orders, "counter", o -> o.processingGuarantee(guarantee),
                    ProcessorFunction.<Order>eachRecordWithContext((order, context) -> { }));
            app.transport().set(app.processor("counter").lockKey(1), "python-executor-7", Duration.ofMinutes(1));

            Worker worker = app.worker("counter").start();
            try {
                if (guarantee == ProcessingGuarantee.EXACTLY_ONCE) {
                    assertThat(worker.awaitStopped(Duration.ofSeconds(30))).isTrue();
                    assertThat(worker.failure()).hasValueSatisfying(e -> assertThat(e).isInstanceOf(Misconfigured.class)
                            .hasMessageContaining("a Python runnel worker (executor python-executor-7) holds its partition 1")
                            .hasMessageContaining("run it at_least_once"));
                } else {
                    await().atMost(Duration.ofSeconds(30)).until(() -> worker.ownedPartitions("counter").contains(0));
                    assertThat(worker.failure()).isEmpty();
                }
            } finally {
                worker.stop();
            }
        }
    }

    /**
     * A state with a time to live: an entry rewritten within it lives on, one left alone reads as
     * absent once it passed (in the processor and to a query), and a later commit deletes it.
     */
    @ParameterizedTest
    @TransportKind.Every
    void a_state_with_a_time_to_live_forgets_an_entry_left_alone_past_it(TransportKind transport) {
        App app = apps.app(transport, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Stream<Count> counts = app.stream("counts", Count.class, Count::key,
                o -> o.partitionSize(10_000_000).retentionInterval(Duration.ofDays(1)));
        Duration ttl = Duration.ofMillis(400);
        app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) -> {
                    long n = context.state("recent", Long.class, ttl).merge(order.key(), 1L, Long::sum);
                    context.send(counts, new Count(order.key(), n));
                }));
        CommittedState<Long> recent = app.state("counter", "recent", Long.class);
        Worker worker = app.worker("counter").start();

        orders.sendAll(List.of(new Order("gone", 0), new Order("k", 0), new Order("k", 1)));
        await().atMost(Duration.ofSeconds(30)).until(() -> pending(app, "counter") == 0
                && Long.valueOf(2).equals(recent.get("k")));
        assertThat(recent.get("gone")).as("within its time to live").isEqualTo(1L);
        Processor<?> counter = app.processor("counter");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> recent.get("gone") == null && recent.get("k") == null);
        assertThat(app.transport().hashValues(counter.stateKey("recent", 0), List.of("gone")).get(0))
                .as("expired, not swept yet").isPresent();

        orders.send(new Order("k", 2));
        await().atMost(Duration.ofSeconds(30)).until(() -> pending(app, "counter") == 0
                && sentPerKey(app).get("k").size() == 3);
        worker.stop();

        assertThat(sentPerKey(app)).as("k's entry had expired too: counting starts again")
                .isEqualTo(Map.of("gone", List.of(1L), "k", List.of(1L, 2L, 1L)));
        assertThat(app.transport().hashEntries(counter.stateKey("recent", 0)).keySet())
                .as("the later commit swept the expired entry").containsExactly("k");
        assertThat(recent.get("k")).isEqualTo(1L);
    }

    @Test
    void a_state_keeps_one_time_to_live() {
        App app = apps.app(TransportKind.MEMORY, TestApps.uniqueName("eos"), b -> b.setting("default_partition_count", 1));
        assertThat(ContextRefusals.refusal(app, context -> {
            context.state("s", Long.class, Duration.ofMinutes(1));
            context.state("s2", Long.class);
            context.state("s2", Long.class, Duration.ofMinutes(1));
        })).hasMessageContaining("state s2 is used with no time to live already, not time to live PT1M");
    }

    @Test
    void exactly_once_on_a_function_without_a_context_fails_at_definition() {
        App app = TestApps.app(TestApps.uniqueName("eos"), "memory://" + TestApps.uniqueName("eos"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        assertThatThrownBy(() -> app.processor(orders, "p", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                ProcessorFunction.<Order>eachRecord(order -> { })))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("processing_guarantee exactly_once cannot apply")
                .hasMessageContaining("eachRecordWithContext");
        // The app-wide default applies only where it can.
        App defaulted = TestApps.builder(TestApps.uniqueName("eos"), "memory://" + TestApps.uniqueName("eos"))
                .setting("default_processing_guarantee", "exactly_once").build();
        Stream<Order> more = defaulted.stream("orders", Order.class, Order::key);
        defaulted.processor(more, "loop", e -> { });
        assertThat(defaulted.processor("loop").guarantee()).isEqualTo(ProcessingGuarantee.AT_LEAST_ONCE);
        defaulted.processor(more, "ctx", ProcessorFunction.<Order>eachRecordWithContext((order, context) -> { }));
        assertThat(defaulted.processor("ctx").guarantee()).isEqualTo(ProcessingGuarantee.EXACTLY_ONCE);
    }

    @Test
    void the_state_of_a_processor_without_a_context_cannot_be_queried() {
        App app = TestApps.app(TestApps.uniqueName("eos"), "memory://" + TestApps.uniqueName("eos"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "plain", ProcessorFunction.<Order>eachRecord(order -> { }));
        assertThatThrownBy(() -> app.state("plain", "counts", Long.class))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("keeps no keyed state");
        assertThatThrownBy(() -> app.state("nobody", "counts", Long.class))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("has no processor 'nobody'");
    }

    @Test
    void a_context_used_after_its_handler_returned_fails() {
        List<ProcessingContext> kept = new java.util.concurrent.CopyOnWriteArrayList<>();
        App app = TestApps.app(TestApps.uniqueName("eos"), "memory://" + TestApps.uniqueName("eos"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "p", ProcessorFunction.<Order>eachRecordWithContext((order, context) -> kept.add(context)));
        orders.send(new Order("k", 0));
        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> kept.size() == 1);
        worker.stop();
        assertThatThrownBy(() -> kept.get(0).state("s", Long.class))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("after its handler returned");
    }
}
