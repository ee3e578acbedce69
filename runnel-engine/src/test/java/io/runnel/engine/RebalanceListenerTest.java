// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Assigned, revoked and lost callbacks: when they run relative to processing, acks and locks. */
@Tag("redis")
class RebalanceListenerTest extends RedisBackedTest {

    /** Everything that happened, in order, across both workers. */
    private final List<String> timeline = new CopyOnWriteArrayList<>();

    private static String keyOn(Stream<Order> orders, int partition) {
        for (int i = 0; ; i++) {
            if (orders.partitionOf(new Order("k" + i, 0)) == partition) {
                return "k" + i;
            }
        }
    }

    @Test
    void revoked_runs_after_the_drain_with_acks_sent_and_locks_held_and_assigned_runs_before_processing()
            throws Exception {
        String name = TestApps.uniqueName("listen");
        CountDownLatch hold = new CountDownLatch(1);
        App first = apps.app(name, b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = first.stream("orders", Order.class, Order::key);
        Transport redis = first.transport();
        List<String> problems = new CopyOnWriteArrayList<>();
        RebalanceListener checking = new RebalanceListener() {
            @Override
            public void onPartitionsAssigned(String processor, Set<Integer> partitions) {
                timeline.add("assigned " + partitions);
                for (int p : partitions) {
                    if (redis.get(Keys.lock(name, "orders", processor, p)).isEmpty()) {
                        problems.add("assigned " + p + " without holding its lock");
                    }
                }
            }

            @Override
            public void onPartitionsRevoked(String processor, Set<Integer> partitions) {
                timeline.add("revoked " + partitions);
                for (int p : partitions) {
                    if (redis.get(Keys.lock(name, "orders", processor, p)).isEmpty()) {
                        problems.add("revoked " + p + " after its lock was released");
                    }
                    if (redis.pendingCount(orders.partitionKey(p), processor) != 0) {
                        problems.add("revoked " + p + " before its acks were sent");
                    }
                }
            }
        };
        first.processor(orders, "proc", o -> o.rebalanceListener(checking), events -> {
            for (Order o : events.records()) {
                if (o.seq() == 0) {
                    hold.await(); // the first event of each partition is in hand when the rebalance starts
                }
                timeline.add("processed " + o.key() + "/" + o.seq());
            }
        });
        String k0 = keyOn(orders, 0);
        String k1 = keyOn(orders, 1);
        orders.sendAll(List.of(new Order(k0, 0), new Order(k1, 0)));
        Worker a = first.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> timeline.contains("assigned [0, 1]"));

        App second = apps.app(name, b -> b.setting("default_partition_count", 2));
        Stream<Order> orders2 = second.stream("orders", Order.class, Order::key);
        second.processor(orders2, "proc", o -> o.rebalanceListener(checking), events -> {
            for (Order o : events.records()) {
                timeline.add("processed " + o.key() + "/" + o.seq());
            }
        });
        Worker b = second.worker().start();
        // The first worker has learnt it must give one partition up, while still holding both.
        await().atMost(Duration.ofSeconds(30)).until(() -> a.assignedPartitions("proc").size() == 1);
        assertThat(timeline).noneMatch(e -> e.startsWith("revoked"));
        hold.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> b.ownedPartitions("proc").size() == 1);
        int moved = b.ownedPartitions("proc").iterator().next();
        String movedKey = moved == 0 ? k0 : k1;
        orders.send(new Order(movedKey, 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> timeline.contains("processed " + movedKey + "/1"));

        assertThat(problems).isEmpty();
        int revoked = timeline.indexOf("revoked [" + moved + "]");
        int assigned = timeline.lastIndexOf("assigned [" + moved + "]");
        assertThat(revoked).as("revoked on the first worker").isPositive();
        // The event in hand finished before the revocation; the new owner was told before it processed.
        assertThat(timeline.indexOf("processed " + movedKey + "/0")).isLessThan(revoked);
        assertThat(assigned).isGreaterThan(revoked).isLessThan(timeline.indexOf("processed " + movedKey + "/1"));

        int before = timeline.size();
        b.stop();
        // Stopping releases like a rebalance does (the first worker may take the partition back afterwards).
        assertThat(timeline.get(before)).isEqualTo("revoked [" + moved + "]");
        assertThat(problems).isEmpty();
        a.stop();
    }

    @Test
    void a_failing_assigned_callback_stops_the_worker_and_gives_the_locks_back() throws Exception {
        App app = apps.app(TestApps.uniqueName("listen"), b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", o -> o.rebalanceListener(new RebalanceListener() {
            @Override
            public void onPartitionsAssigned(String processor, Set<Integer> partitions) {
                throw new IllegalStateException("state store unavailable");
            }
        }), events -> events.records().forEach(o -> timeline.add("processed")));
        orders.send(new Order("k", 0));

        Worker worker = app.worker().start();

        assertThat(worker.awaitStopped(Duration.ofSeconds(30))).isTrue();
        assertThat(worker.failure()).get().satisfies(e -> {
            assertThat(e).hasMessageContaining("rebalance listener");
            assertThat(e).hasRootCauseMessage("state store unavailable");
        });
        assertThat(timeline).isEmpty();
        for (int p = 0; p < 2; p++) {
            assertThat(app.transport().get(Keys.lock(app.name(), "orders", "proc", p))).isEmpty();
        }
    }

    @Test
    void a_lost_lock_is_reported_as_lost_and_by_default_as_revoked() {
        App app = apps.app(TestApps.uniqueName("listen"), b -> b.setting("default_partition_count", 2)
                .setting("default_lock_expiry", "2s").setting("default_grace_period", "1s"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        List<String> calls = new CopyOnWriteArrayList<>();
        app.processor(orders, "proc", o -> o
                .rebalanceListener(new RebalanceListener() {
                    @Override
                    public void onPartitionsLost(String processor, Set<Integer> partitions) {
                        calls.add("lost " + partitions);
                    }
                })
                .rebalanceListener(new RebalanceListener() {
                    @Override
                    public void onPartitionsRevoked(String processor, Set<Integer> partitions) {
                        calls.add("revoked " + partitions);
                    }
                }), events -> events.records().forEach(o -> { }));
        Worker worker = app.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.ownedPartitions("proc").size() == 2);

        // Someone else takes partition 1's lock (as after a long pause of ours).
        app.transport().set(Keys.lock(app.name(), "orders", "proc", 1), "intruder", Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(30)).until(() -> calls.size() >= 2);
        assertThat(calls).startsWith("lost [1]", "revoked [1]");
        worker.stop();
    }

    @Test
    void callbacks_run_one_at_a_time_on_the_coordination_thread_even_when_locks_are_lost_during_a_rebalance() {
        String name = TestApps.uniqueName("overlap");
        List<String> problems = new CopyOnWriteArrayList<>();
        List<String> calls = new CopyOnWriteArrayList<>();
        AtomicInteger inside = new AtomicInteger();
        // Each callback takes a while, so a second one started from another thread would overlap it.
        RebalanceListener slow = new RebalanceListener() {
            @Override
            public void onPartitionsAssigned(String processor, Set<Integer> partitions) {
                record("assigned " + partitions);
            }

            @Override
            public void onPartitionsRevoked(String processor, Set<Integer> partitions) {
                record("revoked " + partitions);
            }

            @Override
            public void onPartitionsLost(String processor, Set<Integer> partitions) {
                record("lost " + partitions);
            }

            private void record(String call) {
                if (inside.incrementAndGet() != 1) {
                    problems.add(call + " overlapped another callback");
                }
                if (!Thread.currentThread().getName().startsWith("runnel-executor-")) {
                    problems.add(call + " ran on " + Thread.currentThread().getName());
                }
                calls.add(call);
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inside.decrementAndGet();
            }
        };
        App first = apps.app(name, b -> b.setting("default_lock_expiry", "2s").setting("default_grace_period", "1s"));
        Stream<Order> orders = first.stream("orders", Order.class, Order::key);
        first.processor(orders, "proc", o -> o.rebalanceListener(slow), events -> events.records().forEach(o -> { }));
        App second = apps.app(name, b -> b.setting("default_lock_expiry", "2s").setting("default_grace_period", "1s"));
        second.processor(second.stream("orders", Order.class, Order::key), "proc", events -> events.records().forEach(o -> { }));
        Worker worker = first.worker().start();
        await().atMost(Duration.ofSeconds(30)).until(() -> worker.ownedPartitions("proc").size() == 4);

        // Two locks are taken from under it while a second worker joins: losses and a rebalance at once.
        first.transport().set(Keys.lock(name, "orders", "proc", 0), "intruder", Duration.ofMillis(1500));
        first.transport().set(Keys.lock(name, "orders", "proc", 3), "intruder", Duration.ofMillis(1500));
        Worker other = second.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> calls.stream().filter(c -> c.startsWith("lost")).count() >= 1
                && calls.stream().anyMatch(c -> c.startsWith("revoked"))
                && worker.ownedPartitions("proc").size() == 2 && other.ownedPartitions("proc").size() == 2);
        worker.stop();
        other.stop();
        assertThat(problems).isEmpty();
    }
}
