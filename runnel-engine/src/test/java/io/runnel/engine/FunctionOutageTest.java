// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.runnel.testkit.LoopbackProxy;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A processor whose own send onward cannot reach Redis (here its connection goes through a
 * real loopback proxy that stops forwarding, as a dead cluster master's or a partitioned
 * network's would) is waiting for Redis, not failing on its events: under the default HALT
 * policy the worker neither stops nor poisons anything, the delivery is tried again with
 * backoff until the send goes through, one warning says so and one line says when it is over,
 * and every event is sent onward, each key's first sendings in order.
 */
@Tag("redis")
class FunctionOutageTest extends RedisBackedTest {
    private static final int KEYS = 4;
    private static final int PER_KEY = 10;

    @ParameterizedTest
    @TransportKind.Redis
    void a_send_that_cannot_reach_redis_is_tried_again_and_the_policy_never_sees_it(TransportKind transport)
            throws Exception {
        Logger consumerLog = (Logger) LoggerFactory.getLogger(PartitionConsumer.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        consumerLog.addAppender(logs);
        Level before = consumerLog.getLevel();
        consumerLog.setLevel(Level.INFO); // the end of the episode is logged at INFO
        try (LoopbackProxy proxy = new LoopbackProxy(redis.server().port())) {
            String name = TestApps.uniqueName("fnoutage");
            // The same app seen twice: the worker on the test Redis, and the function's sends through the proxy.
            App app = apps.app(transport, name, b -> b.setting("default_partition_count", 1));
            App sink = apps.app(transport, name, b -> b.redisUrl("redis://127.0.0.1:" + proxy.port() + "?timeout=1s"));
            Stream<Order> orders = app.stream("orders", Order.class, Order::key);
            app.stream("seen", WorkerProcessMain.Seen.class, WorkerProcessMain.Seen::key, o -> o.partitionCount(1));
            Stream<WorkerProcessMain.Seen> seenOnward = sink.stream("seen", WorkerProcessMain.Seen.class,
                    WorkerProcessMain.Seen::key, o -> o.partitionCount(1));
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch cut = new CountDownLatch(1);
            app.processor(orders, "proc", events -> {
                for (Order order : events.records()) {
                    if (holding.getCount() > 0) {
                        holding.countDown();
                        cut.await(); // the proxy stops forwarding before this event's send
                    }
                    seenOnward.send(new WorkerProcessMain.Seen(order.key(), order.seq(), 0));
                }
            });
            Worker worker = app.worker().start();
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.ownedPartitions("proc").size() == 1);
            orders.sendAll(TestApps.orders(KEYS, PER_KEY));
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();

            proxy.cut();
            cut.countDown();
            await().atMost(Duration.ofSeconds(30)).until(() -> warnings(logs).size() == 1);
            proxy.resume();

            @SuppressWarnings("unchecked")
            Stream<WorkerProcessMain.Seen> seen = (Stream<WorkerProcessMain.Seen>) app.streamNamed("seen");
            await().atMost(Duration.ofSeconds(30)).until(() -> SeenRecords.read(seen).distinct() == KEYS * PER_KEY);
            SeenRecords.read(seen).log().assertAtLeastOnceInOrder(KEYS, PER_KEY);
            assertThat(worker.failure()).as("the worker's failure").isEmpty();
            assertThat(worker.poisonedPartitions("proc")).isEmpty();
            assertThat(warnings(logs)).singleElement().asString()
                    .contains("the Redis calls of processor proc's function on partition 0 failed");
            await().atMost(Duration.ofSeconds(30)).until(() -> logs.list.stream().anyMatch(e -> e.getLevel() == Level.INFO
                    && e.getFormattedMessage().contains("working again")));
            worker.stop();
        } finally {
            consumerLog.detachAppender(logs);
            consumerLog.setLevel(before);
        }
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> logs) {
        return logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
