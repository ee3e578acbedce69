// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.testkit.RedisServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.runnel.engine.CommittedEffects.committed;
import static io.runnel.engine.CommittedEffects.pending;
import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code default_commit_replicas}: each commit waits (WAIT) until that many replicas hold it;
 * a commit they do not confirm in time stays done, and is logged.
 */
@Tag("redis")
class CommitReplicasTest extends RedisBackedTest {
    private static final Pattern WAIT_CALLS = Pattern.compile("cmdstat_wait:calls=(\\d+)");

    private App counting(TransportKind transport, int replicas, String timeout) {
        App app = apps.app(transport, TestApps.uniqueName("eosdur"), b -> b.setting("default_partition_count", 2)
                .setting("default_commit_replicas", replicas).setting("send_replicas_timeout", timeout));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "counter", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
                ProcessorFunction.<Order>eachRecordWithContext((order, context) ->
                        context.state("counts", Long.class).merge(order.key(), 1L, Long::sum)));
        orders.sendAll(TestApps.orders(10, 3));
        return app;
    }

    /** Every order counted, and acknowledged, in committed state. */
    private static boolean allCounted(App app) {
        return committed(app, "counter", "counts").values().stream().mapToLong(Long::longValue).sum() == 30
                && pending(app, "counter") == 0;
    }

    private long waitCalls() {
        Matcher m = WAIT_CALLS.matcher(String.valueOf(redis.server().call("INFO", "commandstats")));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static java.util.Map<Object, Object> hash(RedisServer server, String key) {
        java.util.List<?> flat = (java.util.List<?>) server.call("HGETALL", key);
        java.util.Map<Object, Object> out = new java.util.TreeMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            out.put(flat.get(i), flat.get(i + 1));
        }
        return out;
    }

    @ParameterizedTest
    @TransportKind.Redis
    void each_commit_waits_for_the_replicas_and_one_they_miss_stays_done_with_a_warning(TransportKind transport) {
        try (RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(redis.server().port()))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> String.valueOf(redis.server().call("INFO", "replication"))
                    .contains("state=online"));
            long waitsBefore = waitCalls();
            App durable = counting(transport, 1, "5s");
            Worker worker = durable.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> allCounted(durable));
            worker.stop();
            assertThat(waitCalls() - waitsBefore).as("WAITs after the commits").isPositive();
            assertThat(committed(durable, "counter", "counts")).hasSize(10).allSatisfy((k, n) -> assertThat(n).isEqualTo(3));
            Processor<?> counter = durable.processor("counter");
            for (int p = 0; p < 2; p++) {
                assertThat(hash(replica, counter.stateKey("counts", p))).as("the replica holds partition %s's state", p)
                        .isEqualTo(hash(redis.server(), counter.stateKey("counts", p))).isNotEmpty();
            }

            Logger ackerLog = (Logger) LoggerFactory.getLogger(Acker.class);
            ListAppender<ILoggingEvent> logs = new ListAppender<>();
            logs.start();
            ackerLog.addAppender(logs);
            try {
                App tooMany = counting(transport, 2, "200ms");
                Worker second = tooMany.worker().start();
                await().atMost(Duration.ofSeconds(30)).until(() -> allCounted(tooMany));
                second.stop();
                assertThat(committed(tooMany, "counter", "counts")).as("done all the same")
                        .hasSize(10).allSatisfy((k, n) -> assertThat(n).isEqualTo(3));
                assertThat(logs.list).anySatisfy(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.WARN);
                    assertThat(e.getFormattedMessage()).contains("fewer replicas than default_commit_replicas (2)")
                            .contains("only 1 of 2 replicas").contains("INFO replication");
                });
            } finally {
                ackerLog.detachAppender(logs);
            }
        }
    }
}
