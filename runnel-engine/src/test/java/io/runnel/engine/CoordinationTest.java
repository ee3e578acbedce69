// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Misconfigured;
import io.runnel.api.RebalanceFailed;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Membership, control messages, locks and heartbeats as other workers (and tools) see them in Redis. */
@Tag("redis")
class CoordinationTest extends RedisBackedTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private App app(String name, Map<String, Object> settings) {
        return apps.app(name, b -> settings.forEach(b::setting));
    }

    private List<Map<String, String>> controlMessages(App app, String processor) {
        List<Map<String, String>> out = new ArrayList<>();
        for (StreamEntry e : app.transport().range(Keys.control(app.name(), "orders", processor), "-", "+", 1000)) {
            Map<String, String> m = new java.util.LinkedHashMap<>();
            e.fields().forEach((k, v) -> m.put(k, new String(v, StandardCharsets.UTF_8)));
            out.add(m);
        }
        return out;
    }

    @Test
    void joining_and_leaving_are_written_to_the_membership_and_announced_on_the_control_stream() throws Exception {
        App app = app(TestApps.uniqueName("ctrl"), Map.of());
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
        Worker worker = app.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(worker), 4, "proc");

        JsonNode members = JSON.readTree(app.transport().get(Keys.members(app.name(), "orders", "proc")).orElseThrow());
        assertThat(members.size()).isEqualTo(1);
        String executorId = members.fieldNames().next();
        assertThat(members.get(executorId).get("joined_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}");
        assertThat(members.get(executorId).get("partitions").toString()).isEqualTo("[0,1,2,3]");
        for (int p = 0; p < 4; p++) {
            // The executor's id and the fencing epoch of its acquisition.
            assertThat(app.transport().get(Keys.lock(app.name(), "orders", "proc", p))).hasValueSatisfying(token ->
                    assertThat(token).matches(Pattern.quote(executorId) + ":\\d+"));
        }
        assertThat(app.transport().get(Keys.heartbeat(app.name(), "orders", "proc", executorId))).isPresent();

        worker.stop();

        assertThat(controlMessages(app, "proc")).containsExactly(
                Map.of("reason", "join", "executor_ids", "[\"" + executorId + "\"]"),
                Map.of("reason", "leave", "executor_ids", "[\"" + executorId + "\"]"));
        assertThat(app.transport().get(Keys.members(app.name(), "orders", "proc"))).contains("{}");
        assertThat(app.transport().get(Keys.heartbeat(app.name(), "orders", "proc", executorId))).isEmpty();
    }

    @Test
    void a_member_whose_heartbeat_expired_is_reaped_announced_dead_and_its_partitions_reassigned() {
        App app = app(TestApps.uniqueName("reap"), Map.of());
        // A member that joined long ago and never beats: it was assigned half the partitions.
        app.transport().set(Keys.members(app.name(), "orders", "proc"),
                "{\"ghost\": {\"joined_at\": \"2020-01-01T00:00:00.000000\", \"partitions\": [0, 1, 2, 3]}}", null);
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", events -> events.records().forEach(log::add));
        orders.sendAll(TestApps.orders(8, 3));

        Worker worker = app.worker().start();

        RebalanceTest.awaitBalancedFor(List.of(worker), 4, "proc");
        assertThat(controlMessages(app, "proc")).contains(Map.of("reason", "dead", "executor_ids", "[\"ghost\"]"));
        await().atMost(Duration.ofSeconds(20)).until(() -> log.count() == 24);
        log.assertExactlyOnceInOrder(8, 3);
    }

    @Test
    void partitions_locked_by_someone_who_never_lets_go_fail_the_rebalance_after_the_attempts() throws Exception {
        App app = app(TestApps.uniqueName("stuck"), Map.of("default_assignment_attempts", 3));
        app.transport().set(Keys.lock(app.name(), "orders", "proc", 2), "someone-else", Duration.ofMinutes(5));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));

        Worker worker = app.worker().start();

        assertThat(worker.awaitStopped(Duration.ofSeconds(30))).isTrue();
        assertThatThrownBy(worker::await).isInstanceOf(RebalanceFailed.class)
                .hasMessageContaining("[2]").hasMessageContaining("assignment_attempts");
        assertThat(app.transport().get(Keys.lock(app.name(), "orders", "proc", 2))).contains("someone-else");
        assertThat(app.transport().get(Keys.lock(app.name(), "orders", "proc", 0))).isEmpty();
    }

    @Test
    void heartbeats_keep_extending_the_partition_locks_past_their_expiry() {
        App app = app(TestApps.uniqueName("beat"), Map.of("default_lock_expiry", "1s",
                "default_read_timeout", "100ms", "default_grace_period", "500ms", "default_lease_margin", "200ms"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
        Worker worker = app.worker().start();
        RebalanceTest.awaitBalancedFor(List.of(worker), 4, "proc");
        String owner = app.transport().get(Keys.lock(app.name(), "orders", "proc", 0)).orElseThrow();

        // For three lock lifetimes, the lock never lapses and never changes hands.
        await().during(Duration.ofMillis(3000)).atMost(Duration.ofSeconds(10)).until(() ->
                app.transport().get(Keys.lock(app.name(), "orders", "proc", 0)).map(owner::equals).orElse(false)
                        && worker.ownedPartitions("proc").size() == 4);
    }

    @Test
    void a_worker_runs_only_the_processors_it_is_given() {
        App app = app(TestApps.uniqueName("named"), Map.of());
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        app.processor(orders, "a", events -> events.records().forEach(o -> a.incrementAndGet()));
        app.processor(orders, "b", events -> events.records().forEach(o -> b.incrementAndGet()));
        orders.sendAll(TestApps.orders(4, 5));

        Worker worker = app.worker("a").start();

        await().atMost(Duration.ofSeconds(20)).until(() -> a.get() == 20);
        assertThat(b).hasValue(0);
        assertThat(app.transport().get(Keys.members(app.name(), "orders", "b"))).isEmpty();
        assertThatThrownBy(() -> worker.ownedPartitions("b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_batch_window_not_shorter_than_the_grace_period_halts_whatever_the_policy() throws Exception {
        App app = app(TestApps.uniqueName("window"), Map.of());
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).gracePeriod(Duration.ofSeconds(2)),
                events -> events.take(10, Duration.ofSeconds(5)).records().forEach(batch -> { }));

        Worker worker = app.worker().start();

        assertThat(worker.awaitStopped(Duration.ofSeconds(30))).isTrue();
        assertThatThrownBy(worker::await).isInstanceOf(Misconfigured.class)
                .hasMessageContaining("batch window").hasMessageContaining("grace_period");
    }

    @Test
    void log_lines_carry_worker_executor_stream_processor_partition_and_lease() {
        Logger logger = (Logger) LoggerFactory.getLogger(FinalFailure.class); // the policy's log line
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            App app = app(TestApps.uniqueName("mdc"), Map.of("default_partition_count", 1));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE), events -> {
                for (Order order : events.records()) {
                    throw new IllegalStateException("fails " + order.seq());
                }
            });
            orders.send(new Order("k", 1));
            Worker worker = app.worker().start();

            await().atMost(Duration.ofSeconds(20)).until(() -> !appender.list.isEmpty());
            Map<String, String> mdc = appender.list.get(0).getMDCPropertyMap();
            assertThat(mdc).containsEntry("worker", worker.id()).containsEntry("stream", "orders")
                    .containsEntry("processor", "proc").containsEntry("partition", "0").containsKey("executor")
                    .containsKey("lease");
        } finally {
            logger.detachAppender(appender);
        }
    }
}
