// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@Tag("redis")
class BackpressureTest extends RedisBackedTest {
    private App app;

    @Test
    void a_stuck_partition_neither_stalls_the_others_nor_buffers_more_than_its_prefetch() throws Exception {
        int prefetch = 5;
        app = apps.app(TestApps.uniqueName("bp"), b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        String slow = "slow";
        String fast = "fast-0";
        for (int i = 0; orders.partitionOf(new Order(fast, 0)) == orders.partitionOf(new Order(slow, 0)); i++) {
            fast = "fast-" + i;
        }
        CountDownLatch unblock = new CountDownLatch(1);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", o -> o.prefetchCount(prefetch), events -> {
            for (Order order : events.records()) {
                if (order.key().equals(slow)) {
                    unblock.await();
                }
                log.add(order);
            }
        });
        List<Order> batch = new ArrayList<>();
        for (int seq = 0; seq < 200; seq++) {
            batch.add(new Order(slow, seq));
            batch.add(new Order(fast, seq));
        }
        orders.sendAll(batch);

        Worker worker = app.worker().start();

        String fastKey = fast;
        await().atMost(Duration.ofSeconds(30)).until(() -> log.snapshot().getOrDefault(fastKey, List.of()).size() == 200);
        assertThat(log.snapshot().get(slow)).isNull();
        // Delivered but unacked for the stuck partition: the event in hand plus at most a full
        // buffer (a read goes out only once the buffer is down to prefetch / 2, and reads at most
        // prefetch events).
        int slowPartition = orders.partitionOf(new Order(slow, 0));
        assertThat(app.transport().pendingCount(orders.partitionKey(slowPartition), "proc"))
                .isLessThanOrEqualTo(1L + prefetch + prefetch / 2);

        unblock.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == 400);
        worker.stop();
        log.assertExactlyOnceInOrder(2, 200);
    }

    @Test
    void at_most_pool_size_reads_are_in_flight_and_every_partition_is_still_served() {
        int poolSize = 2;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        Transport real = new io.runnel.redis.lettuce.LettuceTransportProvider().open(ConnectionUrl.parse(redis.url()));
        // The real transport, with every group read held 100 ms so that reads overlap and get counted.
        Transport counting = Intercepted.method(real, "readGroupFenced", (args, proceed) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(100);
                return proceed.call();
            } finally {
                inFlight.decrementAndGet();
            }
        });
        app = apps.app(TestApps.uniqueName("pool"), b -> b.setting("default_partition_count", 8)
                .module(binder -> binder.bind(Transport.class).toInstance(counting)));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        orders.sendAll(TestApps.orders(32, 10));
        // Prefetch 1 and uneven work: partitions drain, and ask for more, at different moments.
        app.processor(orders, "proc", o -> o.poolSize(poolSize).prefetchCount(1), events -> {
            for (Order order : events.records()) {
                Thread.sleep(order.key().hashCode() & 15);
                log.add(order);
            }
        });

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(60)).until(() -> log.count() == 320);
        worker.stop();
        log.assertExactlyOnceInOrder(32, 10);
        assertThat(maxInFlight.get()).isBetween(1, poolSize);
    }

    @Test
    void under_a_backlog_partitions_that_run_low_wait_for_the_read_out_and_go_in_one_large_read() {
        int partitions = 16;
        int prefetch = 10;
        AtomicInteger backlogReadsOut = new AtomicInteger();
        AtomicInteger mostBacklogReadsOut = new AtomicInteger();
        AtomicInteger readsWithEvents = new AtomicInteger();
        AtomicInteger entries = new AtomicInteger();
        Transport real = new io.runnel.redis.lettuce.LettuceTransportProvider().open(ConnectionUrl.parse(redis.url()));
        // Each read held 20 ms, as if the server were far away: partitions run low while a read is out.
        Transport counting = Intercepted.method(real, "readGroupFenced", (args, proceed) -> {
            boolean blocks = args[3] != null;
            if (!blocks) {
                mostBacklogReadsOut.accumulateAndGet(backlogReadsOut.incrementAndGet(), Math::max);
            }
            try {
                Thread.sleep(20);
                @SuppressWarnings("unchecked")
                List<io.runnel.api.transport.FencedRead.Result> results =
                        (List<io.runnel.api.transport.FencedRead.Result>) proceed.call();
                int found = results.stream().mapToInt(r -> r.entries().size()).sum();
                if (found > 0) { // a blocking read that waited in vain is no read of the backlog
                    readsWithEvents.incrementAndGet();
                    entries.addAndGet(found);
                }
                return results;
            } finally {
                if (!blocks) {
                    backlogReadsOut.decrementAndGet();
                }
            }
        });
        app = apps.app(TestApps.uniqueName("large"), b -> b.setting("default_partition_count", partitions)
                .module(binder -> binder.bind(Transport.class).toInstance(counting)));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        // One key per partition, so every partition has the same backlog.
        List<String> keyOfPartition = new ArrayList<>();
        for (int i = 0; keyOfPartition.size() < partitions; i++) {
            String key = "key-" + i;
            if (keyOfPartition.stream().noneMatch(k -> orders.partitionOf(new Order(k, 0)) == orders.partitionOf(new Order(key, 0)))) {
                keyOfPartition.add(key);
            }
        }
        int perKey = 300;
        List<Order> backlog = new ArrayList<>();
        for (int seq = 0; seq < perKey; seq++) {
            for (String key : keyOfPartition) {
                backlog.add(new Order(key, seq));
            }
        }
        orders.sendAll(backlog);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", o -> o.prefetchCount(prefetch), events -> {
            for (Order order : events.records()) {
                log.add(order);
            }
        });

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(60)).until(() -> log.count() == partitions * perKey);
        worker.stop();
        assertThat(log.snapshot().keySet()).containsExactlyInAnyOrderElementsOf(keyOfPartition);
        log.assertExactlyOnceInOrder(partitions, perKey);
        assertThat(mostBacklogReadsOut.get()).as("reads of backlogged partitions out at once").isEqualTo(1);
        // Reading each partition as soon as it ran low gave about 17 entries per read here.
        assertThat((double) entries.get() / readsWithEvents.get()).as("entries per read (%d reads)", readsWithEvents.get())
                .isGreaterThanOrEqualTo(partitions / 2.0 * prefetch);
    }
}
