// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Gauge;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The PARK policy: a key whose event fails is parked with every later event of it, in order,
 * while the partition's other keys flow; a replay brings its events back in order, to the
 * processor that parked them only; a drop lets the key go on without them. And dead-letter
 * replays, which go to the processor that failed them only.
 */
@Tag("redis")
class ParkTest extends RedisBackedTest {
    private static final int KEYS = 6;
    private static final int PER_KEY = 8;
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final AtomicBoolean failing = new AtomicBoolean(true);

    /** Two processors on one stream: "proc" fails key-1 from seq 3 on while {@link #failing}; "other" never fails. */
    private App app(TransportKind transport, ProcessedLog proc, ProcessedLog other) {
        App app = apps.app(transport, TestApps.uniqueName("park"), b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.PARK), events -> {
            for (Order order : events.records()) {
                if (failing.get() && order.key().equals("key-1") && order.seq() == 3) {
                    throw new IllegalStateException("cannot take " + order.seq());
                }
                proc.add(order);
            }
        });
        app.processor(orders, "other", events -> {
            for (Order order : events.records()) {
                other.add(order);
            }
        });
        return app;
    }

    @SuppressWarnings("unchecked")
    private static Stream<Order> orders(App app) {
        return (Stream<Order>) app.streamNamed("orders");
    }

    private static List<String> parkedSeqs(App app, String key) {
        Stream<Order> orders = orders(app);
        int partition = orders.partitionOf(new Order(key, 0));
        return app.transport().range(Keys.parked(app.name(), "orders", partition), "-", "+", 0).stream()
                .map(StreamEntry::fields)
                .filter(f -> key.equals(text(f.get("parked_key"))))
                .map(f -> orders.codec().decode(f).seq() + "")
                .toList();
    }

    private static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static long parkedKeysGauge(App app) {
        Gauge<?> gauge = app.metrics().getGauges().get("runnel." + app.name() + ".proc.parked-keys");
        return ((Number) gauge.getValue()).longValue();
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_failing_key_is_parked_with_its_later_events_and_a_replay_restores_them_in_order(TransportKind transport) {
        ProcessedLog proc = new ProcessedLog();
        ProcessedLog other = new ProcessedLog();
        App app = app(transport, proc, other);
        orders(app).sendAll(TestApps.orders(KEYS, PER_KEY));

        Worker worker = app.worker().start();
        await().atMost(WAIT).until(() -> proc.count() == KEYS * PER_KEY - 5 && other.count() == KEYS * PER_KEY);
        await().atMost(WAIT).until(() -> parkedSeqs(app, "key-1").size() == 5);

        // Every other key, including those sharing key-1's partition, went through in full.
        assertThat(proc.snapshot().get("key-1")).containsExactly(0, 1, 2);
        for (int k = 0; k < KEYS; k++) {
            if (k != 1) {
                assertThat(proc.snapshot().get("key-" + k)).as("key-%s", k).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            }
        }
        assertThat(parkedSeqs(app, "key-1")).containsExactly("3", "4", "5", "6", "7");
        ParkedKeys parked = app.parkedKeys("proc");
        assertThat(parked.list()).singleElement().satisfies(p -> {
            assertThat(p.key()).isEqualTo("key-1");
            assertThat(p.state()).isEqualTo("parked");
            assertThat(p.events()).isEqualTo(5);
            assertThat(p.error()).contains("IllegalStateException: cannot take 3");
        });
        assertThat(app.metrics().meter("runnel." + app.name() + ".proc.parked").getCount()).isEqualTo(5);
        assertThat(parkedKeysGauge(app)).isEqualTo(1);
        assertThat(app.status().processor("proc").parkedKeys()).containsExactly("key-1");

        // A parked key stays parked: its new events wait too.
        orders(app).sendAll(List.of(new Order("key-1", 8), new Order("key-2", 8)));
        await().atMost(WAIT).until(() -> parkedSeqs(app, "key-1").size() == 6 && proc.snapshot().get("key-2").size() == 9);

        failing.set(false);
        assertThat(parked.replay("key-1")).isEqualTo(6);
        await().atMost(WAIT).until(() -> proc.snapshot().get("key-1").size() == 9);
        await().atMost(WAIT).until(() -> parked.list().isEmpty());
        orders(app).send(new Order("key-1", 9));
        await().atMost(WAIT).until(() -> proc.snapshot().get("key-1").size() == 10);
        worker.stop();

        assertThat(proc.snapshot().get("key-1")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(parkedSeqs(app, "key-1")).isEmpty();
        // The re-sends were for "proc" only: "other" saw every event once.
        assertThat(other.snapshot().get("key-1")).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(parkedKeysGauge(app)).isZero();
    }

    @ParameterizedTest
    @TransportKind.Every
    void dropping_a_parked_key_deletes_its_parked_events_and_lets_its_later_ones_through(TransportKind transport) {
        ProcessedLog proc = new ProcessedLog();
        App app = app(transport, proc, new ProcessedLog());
        orders(app).sendAll(TestApps.orders(KEYS, PER_KEY));
        Worker worker = app.worker().start();
        await().atMost(WAIT).until(() -> parkedSeqs(app, "key-1").size() == 5);

        ParkedKeys parked = app.parkedKeys("proc");
        assertThat(parked.drop("key-1")).isEqualTo(5);
        assertThatThrownBy(() -> parked.drop("key-1")).isInstanceOf(NoSuchElementException.class)
                .hasMessageContaining("no parked key 'key-1'");
        orders(app).send(new Order("key-1", 8));
        await().atMost(WAIT).until(() -> proc.snapshot().get("key-1").size() == 4);
        worker.stop();

        assertThat(proc.snapshot().get("key-1")).containsExactly(0, 1, 2, 8);
        assertThat(parkedSeqs(app, "key-1")).isEmpty();
        assertThat(parked.list()).isEmpty();
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_dead_letter_replay_goes_to_the_failing_processor_once(TransportKind transport) {
        ProcessedLog proc = new ProcessedLog();
        ProcessedLog other = new ProcessedLog();
        App app = apps.app(transport, TestApps.uniqueName("deadreplay"), b -> b.setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters(), events -> {
            for (Order order : events.records()) {
                if (failing.get() && order.seq() == 2 && (order.key().equals("key-0") || order.key().equals("key-3"))) {
                    throw new IllegalStateException("cannot take " + order.key());
                }
                proc.add(order);
            }
        });
        app.processor(orders, "other", events -> {
            for (Order order : events.records()) {
                other.add(order);
            }
        });
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
        Worker worker = app.worker().start();
        DeadLetters dead = app.deadLetters("orders");
        await().atMost(WAIT).until(() -> dead.list(10).size() == 2 && proc.count() == KEYS * PER_KEY - 2);
        assertThat(dead.list(10)).extracting(DeadLetters.DeadLetter::processor).containsOnly("proc");
        assertThat(dead.select(new DeadLetters.Selection(null, null, "NoSuchException"))).isEmpty();

        failing.set(false);
        List<DeadLetters.DeadLetter> replayed = dead.replay(new DeadLetters.Selection(null, null, "IllegalStateException"));
        assertThat(replayed).hasSize(2);
        assertThat(dead.replay(DeadLetters.Selection.all())).as("nothing is left to re-send").isEmpty();
        await().atMost(WAIT).until(() -> proc.count() == KEYS * PER_KEY);
        orders.sendAll(List.of(new Order("key-0", PER_KEY), new Order("key-3", PER_KEY)));
        await().atMost(WAIT).until(() -> proc.count() == KEYS * PER_KEY + 2 && other.count() == KEYS * PER_KEY + 2);
        worker.stop();

        assertThat(proc.snapshot().get("key-0")).containsExactly(0, 1, 3, 4, 5, 6, 7, 2, 8);
        assertThat(other.snapshot().get("key-0")).as("the re-send is for proc only")
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(dead.list(10)).isEmpty();
    }
}
