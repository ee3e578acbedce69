// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

@Tag("redis")
class TasksTest extends RedisBackedTest {
    private App app(String name) {
        return apps.app(name);
    }

    @Test
    void timers_fire_repeatedly_and_stop_with_the_worker() throws Exception {
        App app = app(TestApps.uniqueName("timer"));
        AtomicInteger ticks = new AtomicInteger();
        app.timer(Duration.ofMillis(50), ticks::incrementAndGet);
        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> ticks.get() >= 5);
        worker.stop();
        int atStop = ticks.get();
        // Nothing fires after stop() returned: a later worker-less period changes nothing.
        assertThat(worker.awaitStopped(Duration.ofSeconds(1))).isTrue();
        assertThat(ticks.get()).isEqualTo(atStop);
    }

    @Test
    void a_failing_timer_keeps_its_schedule() {
        App app = app(TestApps.uniqueName("timerfail"));
        AtomicInteger ticks = new AtomicInteger();
        app.timer(Duration.ofMillis(50), () -> {
            ticks.incrementAndGet();
            throw new IllegalStateException("boom");
        });
        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> ticks.get() >= 3);
        assertThat(worker.failure()).isEmpty();
    }

    @Test
    void crontabs_with_seconds_fire_in_their_time_zone() {
        App app = app(TestApps.uniqueName("cron"));
        AtomicInteger fired = new AtomicInteger();
        app.crontab("every-second", "* * * * * *", ZoneId.of("Asia/Kolkata"), false, fired::incrementAndGet);
        app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> fired.get() >= 2);
    }

    @Test
    void invalid_cron_expressions_are_rejected_at_definition() {
        App app = app(TestApps.uniqueName("badcron"));
        assertThatThrownBy(() -> app.crontab("nope", () -> { }))
                .isInstanceOf(Misconfigured.class).hasMessageContaining("invalid cron expression 'nope'");
    }

    @Test
    void leader_only_work_runs_on_exactly_one_of_several_workers_and_moves_when_the_leader_stops() {
        String name = TestApps.uniqueName("lead");
        Map<String, AtomicInteger> onceByWorker = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> ticksByWorker = new ConcurrentHashMap<>();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // A lease of 4 × 500 ms: a JVM stall on a loaded machine must not let it lapse mid-test.
            App app = apps.app(name, b -> b.setting("leadership_poll_interval", "500ms"));
            Worker[] self = new Worker[1];
            app.task("once", true, () -> onceByWorker.computeIfAbsent(self[0].id(), k -> new AtomicInteger()).incrementAndGet());
            app.timer("tick", Duration.ofMillis(50), true,
                    () -> ticksByWorker.computeIfAbsent(self[0].id(), k -> new AtomicInteger()).incrementAndGet());
            self[0] = app.worker();
            workers.add(self[0]);
        }
        workers.forEach(Worker::start);

        await().atMost(Duration.ofSeconds(20)).until(() -> ticksByWorker.values().stream().mapToInt(AtomicInteger::get).sum() >= 10);
        assertThat(workers.stream().filter(Worker::isLeader)).hasSize(1);
        Worker leader = workers.stream().filter(Worker::isLeader).findFirst().orElseThrow();
        assertThat(onceByWorker).containsOnlyKeys(leader.id());
        assertThat(onceByWorker.get(leader.id())).hasValue(1);
        assertThat(ticksByWorker).containsOnlyKeys(leader.id());

        leader.stop();

        await().atMost(Duration.ofSeconds(20)).until(() -> ticksByWorker.size() == 2);
        assertThat(workers.stream().filter(Worker::isLeader)).hasSize(1);
    }
}
