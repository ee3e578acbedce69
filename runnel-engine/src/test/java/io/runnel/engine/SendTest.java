// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.StreamEntry;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static io.runnel.engine.TestApps.Click;
import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Tag("redis")
class SendTest extends RedisBackedTest {
    private App app;

    /**
     * With send_replicas, a send returns once a replica confirmed it; on a server without one
     * it appends and then fails with NotReplicated after send_replicas_timeout.
     */
    @ParameterizedTest
    @TransportKind.Redis
    void send_replicas_waits_for_a_replica_and_says_when_none_confirmed(TransportKind transport) {
        try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(redis.server().port()))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(redis.server().call("INFO", "replication"))
                    .contains("state=online"));
            App durable = apps.app(transport, TestApps.uniqueName("durable"), b -> b.setting("send_replicas", 1)
                    .setting("send_replicas_timeout", "5s"));
            Stream<Order> orders = durable.stream("orders", Order.class, Order::key);
            String id = orders.send(new Order("a", 1));
            int p = orders.partitionOf(new Order("a", 1));
            assertThat(String.valueOf(replica.call("XRANGE", orders.partitionKey(p), id, id))).contains(id);

            App tooMany = apps.app(transport, TestApps.uniqueName("durable"), b -> b.setting("send_replicas", 2)
                    .setting("send_replicas_timeout", "200ms"));
            Stream<Order> waiting = tooMany.stream("orders", Order.class, Order::key);
            assertThatThrownBy(() -> waiting.send(new Order("b", 1)))
                    .isInstanceOf(NotReplicated.class).hasMessageContaining("1 of 2 replicas");
            assertThat(tooMany.transport().length(waiting.partitionKey(waiting.partitionOf(new Order("b", 1))))).isEqualTo(1);
        }
    }

    @Test
    void sendAll_routes_each_record_to_its_partition_in_one_batch() {
        app = apps.app(TestApps.uniqueName("send"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        List<Order> batch = TestApps.orders(10, 5);

        List<String> ids = orders.sendAll(batch);

        assertThat(ids).hasSize(50); // unique per partition only: each partition is its own Redis stream
        long total = 0;
        for (int p = 0; p < orders.partitionCount(); p++) {
            List<StreamEntry> entries = app.transport().range(orders.partitionKey(p), "-", "+", 1000);
            total += entries.size();
            for (StreamEntry e : entries) {
                Order o = orders.codec().decode(e.fields());
                assertThat(orders.partitionOf(o)).isEqualTo(p);
            }
        }
        assertThat(total).isEqualTo(50);
    }

    @Test
    void explicit_ids_are_used_as_given() {
        app = apps.app(TestApps.uniqueName("ids"), b -> b.setting("default_partition_count", 1));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);

        assertThat(orders.send(new Order("a", 1), "1000-1")).isEqualTo("1000-1");
        assertThat(orders.sendAll(List.of(new Order("a", 2), new Order("a", 3)), List.of("2000-0", "2000-5")))
                .containsExactly("2000-0", "2000-5");
        assertThat(app.transport().range(orders.partitionKey(0), "-", "+", 10))
                .extracting(StreamEntry::id).containsExactly("1000-1", "2000-0", "2000-5");
    }

    @Test
    void under_maxlen_retention_sends_trim_partitions_to_about_partition_size() {
        app = apps.app(TestApps.uniqueName("trim"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key,
                o -> o.partitionCount(1).retention(Retention.Policy.MAXLEN).partitionSize(100));

        for (int i = 0; i < 20; i++) {
            orders.sendAll(TestApps.orders(1, 250).stream().map(o -> new Order("k", o.seq())).toList());
        }

        long length = app.transport().length(orders.partitionKey(0));
        assertThat(length).isGreaterThanOrEqualTo(100).isLessThan(1000);
    }

    @Test
    void under_acked_retention_sends_trim_nothing_but_to_the_cap() {
        app = apps.app(TestApps.uniqueName("keep"));
        Stream<Order> kept = app.stream("kept", Order.class, Order::key, o -> o.partitionCount(1).partitionSize(100));
        Stream<Order> capped = app.stream("capped", Order.class, Order::key,
                o -> o.partitionCount(1).partitionSize(100).maxPartitionSize(1000));

        for (int i = 0; i < 20; i++) {
            List<Order> batch = TestApps.orders(1, 250).stream().map(o -> new Order("k", o.seq())).toList();
            kept.sendAll(batch);
            capped.sendAll(batch);
        }

        assertThat(app.transport().length(kept.partitionKey(0))).isEqualTo(5000);
        assertThat(app.transport().length(capped.partitionKey(0))).isGreaterThanOrEqualTo(1000).isLessThan(2000);
    }

    @Test
    void primitive_records_are_native_fields_and_round_trip_exactly() {
        app = apps.app(TestApps.uniqueName("prim"));
        Stream<Click> clicks = app.stream("clicks", Click.class, "user");
        Click click = new Click("ada", 1_700_000_000_123L, 7, 0.25, true, new byte[] {0, 1, (byte) 255});

        clicks.send(click);

        int p = clicks.partitionOf(click);
        StreamEntry entry = app.transport().range(clicks.partitionKey(p), "-", "+", 1).get(0);
        assertThat(entry.fields().keySet()).containsExactly("user", "at", "count", "score", "mobile", "payload");
        assertThat(new String(entry.fields().get("at"), StandardCharsets.UTF_8)).isEqualTo("1700000000123");
        assertThat(new String(entry.fields().get("mobile"), StandardCharsets.UTF_8)).isEqualTo("true");
        Click back = clicks.codec().decode(entry.fields());
        assertThat(back).usingRecursiveComparison().isEqualTo(click);
    }

    @Test
    void a_stream_key_component_that_does_not_exist_is_rejected_at_definition() {
        app = apps.app(TestApps.uniqueName("bad"));
        assertThatThrownBy(() -> app.stream("clicks", Click.class, "nope"))
                .isInstanceOf(io.runnel.api.Misconfigured.class)
                .hasMessageContaining("no component 'nope'");
    }
}
