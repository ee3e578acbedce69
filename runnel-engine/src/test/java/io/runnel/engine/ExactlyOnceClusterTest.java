// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.transport.StreamEntry;
import io.runnel.testkit.RedisClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.runnel.engine.CommittedEffects.committed;
import static io.runnel.engine.CommittedEffects.pending;
import static io.runnel.engine.CountingWorkerMain.Count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exactly-once on a real 3-master Redis Cluster, through each Redis transport: a commit may
 * only write its partition's hash slot, so the counts sent to partitions in other slots go
 * through the partition's outbox and are forwarded once each.
 */
@Tag("redis")
class ExactlyOnceClusterTest extends RedisBackedTest {
    private static final int PARTITIONS = 8;
    private static final int KEYS = 40;
    private static final int PER_KEY = 10;

    @RegisterExtension
    static final RedisClusterExtension clusterExtension = new RedisClusterExtension();

    @ParameterizedTest
    @TransportKind.Redis
    void sends_to_other_slots_go_through_the_outbox_and_arrive_once_each_in_order(TransportKind transport) {
        App app = apps.app(transport, TestApps.uniqueName("eoscl"), b -> b.redisUrl(clusterExtension.url())
                .setting("default_partition_count", PARTITIONS));
        CountingWorkerMain.define(app, ProcessingGuarantee.EXACTLY_ONCE, 0, 4);
        @SuppressWarnings("unchecked")
        Stream<TestApps.Order> orders = (Stream<TestApps.Order>) app.streamNamed("orders");
        @SuppressWarnings("unchecked")
        Stream<Count> counts = (Stream<Count>) app.streamNamed("counts");
        Processor<?> counter = app.processor("counter");
        Set<Integer> slots = new HashSet<>();
        for (int p = 0; p < PARTITIONS; p++) {
            slots.add(app.transport().hashSlot(counts.partitionKey(p)));
        }
        assertThat(slots).as("the counts go to several slots").hasSizeGreaterThan(1);
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));

        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> pending(app, "counter") == 0 && pending(app, "last") == 0
                && committed(app, "last", "last").size() == KEYS
                && committed(app, "last", "last").values().stream().allMatch(n -> n == PER_KEY));
        // Forwarded outboxes are emptied.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int p = 0; p < PARTITIONS; p++) {
                assertThat(app.transport().length(counter.outboxKey(p))).as("outbox of %s", p).isZero();
            }
        });
        CountingPipelineFaults.assertOneResultPerWindow(app);
        worker.stop();
        int forwardedTo = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            forwardedTo += app.transport().getHash(Keys.forwarded(counts.partitionKey(p))).isEmpty() ? 0 : 1;
        }
        assertThat(forwardedTo).as("partitions of counts that outboxes forwarded to").isPositive();
        long acrossSlots = 0;
        for (int k = 0; k < KEYS; k++) {
            int from = orders.partitionOf(new TestApps.Order("key-" + k, 0));
            int to = counts.partitionOf(new Count("key-" + k, 0, 0));
            if (app.transport().hashSlot(counter.lockKey(from)) != app.transport().hashSlot(counts.partitionKey(to))) {
                acrossSlots += PER_KEY;
            }
        }
        assertThat(acrossSlots).isPositive();
        assertThat(app.metrics().meter("runnel." + app.name() + ".counter.outbox-forwarded").getCount())
                .as("sends across slots, forwarded once each").isEqualTo(acrossSlots);
        assertThat(app.metrics().meter("runnel." + app.name() + ".counter.commits").getCount()).isPositive();

        Map<String, List<Long>> perKey = new TreeMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (StreamEntry e : app.transport().range(counts.partitionKey(p), "-", "+", 0)) {
                Count c = counts.codec().decode(e.fields());
                perKey.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c.n());
            }
        }
        List<Long> oneToN = new ArrayList<>();
        for (long n = 1; n <= PER_KEY; n++) {
            oneToN.add(n);
        }
        assertThat(perKey).hasSize(KEYS).allSatisfy((key, ns) -> assertThat(ns).as(key).isEqualTo(oneToN));
        assertThat(committed(app, "counter", "counts")).hasSize(KEYS)
                .allSatisfy((key, n) -> assertThat(n).as(key).isEqualTo(PER_KEY));
    }
}
