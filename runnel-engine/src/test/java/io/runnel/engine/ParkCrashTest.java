// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker process SIGKILLed while it parks keys, and another while it processes their
 * replay: nothing is lost, no event is parked twice, and every key's events are first
 * processed in the order they were sent.
 */
@Tag("redis")
@Tag("process")
class ParkCrashTest extends ChildProcessTest {
    private static final int KEYS = 16;
    private static final int PER_KEY = 60;
    private static final long WORK_MILLIS = 5;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @TransportKind.Redis
    void sigkill_while_parking_and_while_replaying_loses_nothing_and_parks_nothing_twice(TransportKind transport)
            throws Exception {
        String name = TestApps.uniqueName("parkcrash");
        Path flag = Files.createTempFile("runnel-failing", ".flag");
        Map<String, String> env = new LinkedHashMap<>(ChildWorkers.faultTestSettings(transport, 4, Duration.ofSeconds(3)));
        env.put("RUNNEL_REDIS_URL", redis.url());
        children = new ChildWorkers(env);
        App local = ParkingWorkerMain.define(App.builder(name).environment(env), WORK_MILLIS, flag);
        apps.add(local);
        @SuppressWarnings("unchecked")
        Stream<Order> orders = (Stream<Order>) local.streamNamed("orders");
        @SuppressWarnings("unchecked")
        Stream<WorkerProcessMain.Seen> seen = (Stream<WorkerProcessMain.Seen>) local.streamNamed("seen");
        int failingEvents = ParkingWorkerMain.FAILING.size() * (PER_KEY - ParkingWorkerMain.FAIL_FROM);

        // 1. The child alone parks the failing keys; it is killed mid-way, and this JVM's worker finishes.
        Process parker = children.start(ParkingWorkerMain.class, name, "parker", name, Long.toString(WORK_MILLIS),
                flag.toString());
        orders.sendAll(TestApps.orders(KEYS, PER_KEY));
        await().atMost(WAIT).until(() -> parked(local).size() >= 20);
        parker.destroyForcibly(); // SIGKILL while parking
        assertThat(parker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(parked(local).size()).as("killed mid-way").isLessThan(failingEvents);

        Worker worker = local.worker().start();
        await().atMost(WAIT).until(() -> parked(local).size() == failingEvents
                && SeenRecords.read(seen).distinct() == KEYS * PER_KEY - failingEvents);
        List<String> parkedOnce = parked(local);
        assertThat(parkedOnce).as("no event parked twice").doesNotHaveDuplicates();
        for (String key : ParkingWorkerMain.FAILING) {
            List<String> ofKey = parkedOnce.stream().filter(s -> s.startsWith(key + "/")).toList();
            List<String> expected = new ArrayList<>();
            for (int seq = ParkingWorkerMain.FAIL_FROM; seq < PER_KEY; seq++) {
                expected.add(key + "/" + seq);
            }
            assertThat(ofKey).as("parked events of %s, in order", key).containsExactlyElementsOf(expected);
        }
        worker.stop();

        // 2. Healed: the keys are replayed; a child processing the re-sends is killed, this worker finishes.
        Files.delete(flag);
        Process replayer = children.start(ParkingWorkerMain.class, name, "replayer", name, Long.toString(WORK_MILLIS),
                flag.toString());
        await().atMost(WAIT).until(() -> memberCount(local) == 1);
        ParkedKeys parkedKeys = local.parkedKeys("proc");
        for (String key : ParkingWorkerMain.FAILING) {
            assertThat(parkedKeys.replay(key)).isEqualTo(PER_KEY - ParkingWorkerMain.FAIL_FROM);
        }
        long before = SeenRecords.read(seen).distinct();
        await().atMost(WAIT).until(() -> SeenRecords.read(seen).distinct() >= before + 20);
        replayer.destroyForcibly(); // SIGKILL while replaying
        assertThat(replayer.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Worker second = local.worker().start();
        await().atMost(WAIT).until(() -> SeenRecords.read(seen).distinct() == KEYS * PER_KEY);
        await().atMost(WAIT).until(() -> parkedKeys.list().isEmpty());
        second.stop();

        ProcessedLog log = SeenRecords.read(seen).log();
        log.assertAtLeastOnceInOrder(KEYS, PER_KEY);
        assertThat(parked(local)).isEmpty();
    }

    /** The parked events, as key/seq in the order they were parked, over all partitions. */
    private static List<String> parked(App app) {
        @SuppressWarnings("unchecked")
        Stream<Order> orders = (Stream<Order>) app.streamNamed("orders");
        List<String> all = new ArrayList<>();
        for (int p = 0; p < orders.partitionCount(); p++) {
            for (StreamEntry e : app.transport().range(Keys.parked(app.name(), "orders", p), "-", "+", 0)) {
                Order order = orders.codec().decode(e.fields());
                all.add(order.key() + "/" + order.seq());
            }
        }
        return all;
    }

    private static int memberCount(App app) throws IOException {
        String members = app.transport().get(Keys.members(app.name(), "orders", "proc")).orElse("{}");
        return JSON.readTree(members).size();
    }
}
