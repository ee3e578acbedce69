// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention end to end: what partition owners trim, what they keep for a processor that is
 * behind or stopped, and how losses under a limit or {@code maxlen} are reported (meter,
 * status). Trimming runs every 100 ms here.
 */
@Tag("redis")
class RetentionTest extends RedisBackedTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final int KEYS = 10;
    private static final int PER_KEY = 30;
    private static final Pattern EVAL_CALLS = Pattern.compile("(?m)^cmdstat_eval:calls=(\\d+)");

    private App define(TransportKind transport, String name, Consumer<App.Builder> settings,
                       ProcessedLog fast, ProcessedLog slow, CountDownLatch slowGate) {
        App app = apps.app(transport, name, b -> {
            b.setting("default_partition_count", 2)
                    .setting("default_partition_size", 50)
                    .setting("default_retention_interval", "100ms");
            settings.accept(b);
        });
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "fast", events -> events.records().forEach(fast::add));
        app.processor(orders, "slow", events -> {
            for (Order order : events.records()) {
                slowGate.await();
                slow.add(order);
            }
        });
        return app;
    }

    /** An app whose only running processor, 'slow', holds its first event until {@code gate} opens. */
    private record Stalled(App app, ProcessedLog slow, CountDownLatch gate, Worker worker) {
    }

    private Stalled stalled(TransportKind transport, String prefix, Consumer<App.Builder> settings, int partitions) {
        ProcessedLog slow = new ProcessedLog();
        CountDownLatch gate = new CountDownLatch(1);
        App app = define(transport, TestApps.uniqueName(prefix), b -> {
            b.setting("default_partition_count", partitions).setting("default_prefetch_count", 2);
            settings.accept(b);
        }, new ProcessedLog(), slow, gate);
        Worker worker = app.worker("slow").start();
        await().atMost(PATIENCE).until(() -> worker.ownedPartitions("slow").size() == partitions);
        return new Stalled(app, slow, gate, worker);
    }

    @SuppressWarnings("unchecked")
    private static Stream<Order> orders(App app) {
        return (Stream<Order>) app.streamNamed("orders");
    }

    private static long meter(App app, String processor, String name) {
        return app.metrics().meter("runnel." + app.name() + "." + processor + "." + name).getCount();
    }

    private static long length(App app) {
        Stream<Order> orders = orders(app);
        long total = 0;
        for (int p = 0; p < orders.partitionCount(); p++) {
            total += app.transport().length(orders.partitionKey(p));
        }
        return total;
    }

    private static long trimmedUnprocessed(App app, String processor) {
        return app.status().processor(processor).partitions().stream()
                .mapToLong(PartitionStatus::trimmedUnprocessed).sum();
    }

    @ParameterizedTest
    @TransportKind.Every
    void acked_keeps_what_a_stopped_processor_needs_and_trims_what_every_processor_acked(TransportKind transport)
            throws Exception {
        String name = TestApps.uniqueName("keep");
        ProcessedLog fast = new ProcessedLog();
        ProcessedLog slow = new ProcessedLog();
        App app = define(transport, name, b -> { }, fast, slow, new CountDownLatch(0));
        List<Order> all = TestApps.orders(KEYS, PER_KEY);
        Worker fastWorker = app.worker("fast").start();
        Worker slowWorker = app.worker("slow").start();
        orders(app).sendAll(all.subList(0, 100));
        await().atMost(PATIENCE).until(() -> slow.count() == 100 && fast.count() == 100);
        slowWorker.stop();

        // 3 × partition_size per partition while 'slow' is stopped: 'fast' keeps up and trims
        // what both processed, and nothing 'slow' has not.
        orders(app).sendAll(all.subList(100, all.size()));
        await().atMost(PATIENCE).until(() -> fast.count() == all.size() && length(app) <= 202);
        assertThat(length(app)).as("what 'slow' still needs, and its last delivered entry per partition")
                .isBetween(200L, 202L);
        assertThat(meter(app, "fast", "retention-trimmed") + meter(app, "slow", "retention-trimmed")).isPositive();

        Worker again = app.worker("slow").start();
        await().atMost(PATIENCE).until(() -> slow.count() == all.size());
        slow.assertExactlyOnceInOrder(KEYS, PER_KEY);
        fast.assertExactlyOnceInOrder(KEYS, PER_KEY);
        // Everything acked by both: trimmed down to each group's last delivered entry.
        await().atMost(PATIENCE).until(() -> length(app) <= 2);
        assertThat(trimmedUnprocessed(app, "slow")).isZero();
        assertThat(trimmedUnprocessed(app, "fast")).isZero();
        again.stop();
        fastWorker.stop();
    }

    /**
     * Under acked without limits an owner visits a partition it acknowledged nothing in only
     * every tenth interval (here 1 s instead of 100 ms), which the server's count of EVAL
     * calls (the retention script's) shows; what it does acknowledge is still trimmed.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void an_owner_passes_over_partitions_it_acked_nothing_in_and_still_trims_what_it_acks(TransportKind transport) {
        ProcessedLog fast = new ProcessedLog();
        App app = define(transport, TestApps.uniqueName("quiet"), b -> b.setting("default_partition_count", 4), fast,
                new ProcessedLog(), new CountDownLatch(0));
        Worker worker = app.worker("fast").start();
        await().atMost(PATIENCE).until(() -> worker.ownedPartitions("fast").size() == 4);

        // Idle for 2 s: a visit per partition on acquisition, then one a second at most
        // (3 each), where a pass every interval would make 20 each.
        long before = evalCalls();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> evalCalls() - before <= 4 * 4);

        List<Order> all = TestApps.orders(KEYS, PER_KEY);
        orders(app).sendAll(all);
        await().atMost(PATIENCE).until(() -> fast.count() == all.size());
        // Trimmed down to the last delivered entry of each partition that got events.
        await().atMost(PATIENCE).until(() -> length(app) <= 4);
        fast.assertExactlyOnceInOrder(KEYS, PER_KEY);
        worker.stop();
    }

    /** Calls of EVAL the test Redis has served (the retention script's: the fenced commands use EVALSHA). */
    private static long evalCalls() {
        Matcher m = EVAL_CALLS.matcher(String.valueOf(redis.server().call("INFO", "commandstats")));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @ParameterizedTest
    @TransportKind.Every
    void maxlen_trims_on_send_and_the_loss_is_found_and_shown(TransportKind transport) {
        String name = TestApps.uniqueName("maxlen");
        ProcessedLog fast = new ProcessedLog();
        ProcessedLog slow = new ProcessedLog();
        App app = define(transport, name, b -> b.setting("default_retention", "maxlen"), fast, slow,
                new CountDownLatch(0));
        app.resetProcessor("slow", "0"); // its groups exist, but no worker runs it yet
        List<Order> all = TestApps.orders(KEYS, PER_KEY);
        Worker fastWorker = app.worker("fast").start();

        orders(app).sendAll(all);
        // 'fast' owns the partitions; its passes audit every group on them, 'slow''s too.
        await().atMost(PATIENCE).until(() -> trimmedUnprocessed(app, "slow") > 0
                && trimmedUnprocessed(app, "slow") == all.size() - length(app));
        long lost = trimmedUnprocessed(app, "slow");

        Worker slowWorker = app.worker("slow").start();
        await().atMost(PATIENCE).until(() -> slow.count() + lost == all.size());
        assertOrderedWithoutRepeats(slow.snapshot());
        assertThat(trimmedUnprocessed(app, "slow")).as("found once").isEqualTo(lost);
        slowWorker.stop();
        fastWorker.stop();
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_limit_trims_what_a_stalled_processor_did_not_read_and_says_so(TransportKind transport) throws Exception {
        Stalled stalled = stalled(transport, "capped", b -> b.setting("default_max_partition_size", 20), 2);
        App app = stalled.app();
        ProcessedLog slow = stalled.slow();
        List<Order> all = TestApps.orders(KEYS, PER_KEY);

        orders(app).sendAll(all);
        // The processor holds its first event; its executor trims each partition to 20.
        await().atMost(PATIENCE).until(() -> meter(app, "slow", "trimmed-unprocessed") > 0 && length(app) <= 40);
        stalled.gate().countDown();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(slow.count() + meter(app, "slow", "trimmed-unprocessed"))
                .as("processed %s + lost %s (status: %s)", slow.count(), meter(app, "slow", "trimmed-unprocessed"),
                        app.status().processor("slow").partitions())
                .isEqualTo(all.size()));
        assertOrderedWithoutRepeats(slow.snapshot());
        assertThat(trimmedUnprocessed(app, "slow")).isEqualTo(meter(app, "slow", "trimmed-unprocessed"));
        stalled.worker().stop();
    }

    @ParameterizedTest
    @TransportKind.Every
    void max_age_trims_old_entries_unread_or_not_and_says_so(TransportKind transport) throws Exception {
        Stalled stalled = stalled(transport, "aged", b -> b.setting("default_max_age", "1h"), 1);
        App app = stalled.app();
        ProcessedLog slow = stalled.slow();

        // Ids from 1970: far older than max_age.
        List<Order> old = TestApps.orders(1, 50);
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= old.size(); i++) {
            ids.add("1000-" + i);
        }
        orders(app).sendAll(old, ids);
        await().atMost(PATIENCE).until(() -> length(app) == 0 && meter(app, "slow", "trimmed-unprocessed") > 0);
        stalled.gate().countDown();
        await().atMost(PATIENCE).until(() -> slow.count() + meter(app, "slow", "trimmed-unprocessed") == old.size());
        assertOrderedWithoutRepeats(slow.snapshot());
        assertThat(app.status().processor("slow").partition(0).oldestEntryAge()).isEmpty();
        stalled.worker().stop();
    }

    /** Each key's events were processed in send order, each at most once: a loss leaves gaps only. */
    private static void assertOrderedWithoutRepeats(Map<String, List<Integer>> seqsByKey) {
        seqsByKey.forEach((key, seqs) -> assertThat(seqs).as("events of %s", key).isSorted().doesNotHaveDuplicates());
    }
}
