// SPDX-License-Identifier: Apache-2.0

package io.runnel.test;

import io.runnel.api.ExceptionPolicy;
import io.runnel.engine.App;
import io.runnel.engine.DeadLetters;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.testkit.FastCoordination;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The driver and a real worker, given the same app and the same events, leave the same
 * result: the same acknowledged and pending events, dead letters, quarantined partitions and
 * parked keys. On the memory transport and on a real Redis.
 */
@Tag("redis")
class DriverAgreesWithWorkerTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    record Order(String customer, int seq) {
    }

    static final class Declined extends RuntimeException {
        Declined(String message) {
            super(message);
        }
    }

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final List<String> PROCESSORS = List.of("ignoring", "quarantining", "parking");
    private final List<App> apps = new ArrayList<>();

    @AfterEach
    void close() {
        apps.forEach(App::close);
    }

    /** Three processors on one stream, each failing on its own events under its own policy. */
    private App app(String transport) {
        String name = "agree" + NEXT.incrementAndGet();
        App.Builder b = App.builder(name).environment(Map.of()).setting("default_partition_count", 4);
        FastCoordination.settings().forEach(b::setting);
        if (transport.equals("memory")) {
            b.redisUrl("memory://" + name);
        } else {
            b.redisUrl(redis.url()).setting("transport", transport);
        }
        App app = b.build();
        apps.add(app);
        Stream<Order> orders = app.stream("orders", Order.class, Order::customer);
        app.processor(orders, "ignoring", o -> o.exceptionPolicy(ExceptionPolicy.IGNORE).deadLetters()
                .retry(2, Duration.ofMillis(10), Duration.ofMillis(10), 1.0, 0.0), events -> {
            for (Order o : events.records()) {
                if (o.seq() % 5 == 3) {
                    throw new Declined("ignoring declines " + o);
                }
            }
        });
        app.processor(orders, "quarantining", o -> o.exceptionPolicy(ExceptionPolicy.QUARANTINE), events -> {
            for (Order o : events.records()) {
                if (o.customer().equals("mallory") && o.seq() == 2) {
                    throw new Declined("quarantining declines " + o);
                }
            }
        });
        app.processor(orders, "parking", o -> o.exceptionPolicy(ExceptionPolicy.PARK), events -> {
            for (List<Order> batch : events.take(3, Duration.ofMillis(20)).records()) {
                for (Order o : batch) {
                    if (o.customer().equals("oscar") && o.seq() == 1) {
                        throw new Declined("parking declines " + o);
                    }
                }
            }
        });
        return app;
    }

    private static List<Order> events() {
        List<Order> all = new ArrayList<>();
        for (int seq = 0; seq < 8; seq++) {
            for (String customer : List.of("alice", "bob", "mallory", "oscar", "trent")) {
                all.add(new Order(customer, seq));
            }
        }
        return all;
    }

    /** A dead letter's fields (the event's own, as sent: the same bytes in both apps), as text. */
    private static String text(Map<String, byte[]> fields) {
        Map<String, String> text = new TreeMap<>();
        fields.forEach((name, value) -> text.put(name, new String(value, StandardCharsets.UTF_8)));
        return text.toString();
    }

    /** What a processor left behind, with event ids left out (the two apps' ids differ). */
    record Outcome(List<Order> acked, List<Order> pending, List<String> deadLetters, Set<Integer> poisoned,
                   List<String> parked) {
    }

    private static Outcome outcome(App app, String processor, Set<Integer> poisoned) {
        try (ProcessorTestDriver<Order> reader = ProcessorTestDriver.of(app, processor)) {
            return new Outcome(reader.acked(), reader.pending(),
                    // Partitions run in parallel in a worker, so only each partition's dead letters have an order.
                    reader.deadLetters().stream().sorted(java.util.Comparator.comparingInt(DeadLetters.DeadLetter::partition))
                            .map(d -> d.processor() + " " + d.partition() + " "
                            + text(d.fields()) + " " + d.error()).toList(),
                    poisoned,
                    reader.parked().stream().map(p -> p.key() + " " + p.partition() + " " + p.state() + " " + p.events()
                            + " " + p.error()).toList());
        }
    }

    private static Set<Integer> poisonedInStatus(App app, String processor) {
        Set<Integer> poisoned = new TreeSet<>();
        app.status().processor(processor).partitions().forEach(p -> {
            if (p.poisoned()) {
                poisoned.add(p.partition());
            }
        });
        return poisoned;
    }

    /** Every partition processed as far as it goes: nothing left to read or pending, unless quarantined. */
    private static boolean idle(App app, String processor) {
        return app.status().processor(processor).partitions().stream()
                .allMatch(p -> p.poisoned() || (p.pending() == 0 && p.lag().orElse(1) == 0));
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest
    @ValueSource(strings = {"memory", "lettuce"})
    void the_driver_leaves_what_a_worker_leaves(String transport) throws Exception {
        App byWorker = app(transport);
        ((Stream<Order>) byWorker.streamNamed("orders")).sendAll(events());
        Worker worker = byWorker.worker();
        worker.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> PROCESSORS.stream().allMatch(p -> idle(byWorker, p)));
        Map<String, Set<Integer>> poisonedByWorker = new java.util.HashMap<>();
        PROCESSORS.forEach(p -> poisonedByWorker.put(p, poisonedInStatus(byWorker, p)));
        worker.stop();
        assertThat(worker.awaitStopped(Duration.ofSeconds(30))).isTrue();

        App byDriver = app(transport);
        ((Stream<Order>) byDriver.streamNamed("orders")).sendAll(events());
        Map<String, Set<Integer>> poisonedByDriver = new java.util.HashMap<>();
        for (String p : PROCESSORS) {
            try (ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(byDriver, p)) {
                driver.runUntilIdle();
                assertThat(poisonedInStatus(byDriver, p)).isEqualTo(driver.poisoned());
                poisonedByDriver.put(p, driver.poisoned());
            }
        }

        for (String p : PROCESSORS) {
            Outcome expected = outcome(byWorker, p, poisonedByWorker.get(p));
            Outcome actual = outcome(byDriver, p, poisonedByDriver.get(p));
            assertThat(actual).as(p).isEqualTo(expected);
        }
        // The scenario exercises what it claims to.
        Outcome ignoring = outcome(byDriver, "ignoring", poisonedByDriver.get("ignoring"));
        assertThat(ignoring.deadLetters()).hasSize(5);
        assertThat(ignoring.acked()).hasSize(40);
        Outcome quarantining = outcome(byDriver, "quarantining", poisonedByDriver.get("quarantining"));
        assertThat(quarantining.poisoned()).hasSize(1);
        assertThat(quarantining.pending()).contains(new Order("mallory", 2));
        Outcome parking = outcome(byDriver, "parking", poisonedByDriver.get("parking"));
        // The failed batch of three parks every key in it: oscar's, and the two others it held.
        assertThat(parking.parked()).hasSize(3).anySatisfy(line -> assertThat(line).startsWith("oscar "));
    }
}
