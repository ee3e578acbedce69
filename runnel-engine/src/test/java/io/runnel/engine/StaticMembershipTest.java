// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Static membership: "processes" (apps of the same name, each with its {@code member_id})
 * share a processor of 4 partitions. A member that stops and returns within the session
 * timeout gets exactly its partitions back while nobody else's assignment changes; one that
 * stays away longer is replaced; a second process with a live member's id is refused.
 */
@Tag("redis")
class StaticMembershipTest extends RedisBackedTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private App process(TransportKind transport, String name, String memberId, Duration sessionTimeout) {
        App app = apps.app(transport, name, b -> b.setting("member_id", memberId)
                .setting("default_session_timeout", sessionTimeout.toMillis() + "ms"));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
        return app;
    }

    /** Two processes, host-a then host-b, each owning 2 of the 4 partitions. */
    private record Pair(App a, App b, Worker workerA, Worker workerB) {
    }

    private Pair startPair(TransportKind transport, String name, Duration sessionTimeout) {
        App a = process(transport, name, "host-a", sessionTimeout);
        App b = process(transport, name, "host-b", sessionTimeout);
        Worker workerA = a.worker("proc").start();
        Worker workerB = b.worker("proc").start();
        await().atMost(PATIENCE).until(() -> workerA.ownedPartitions("proc").size() == 2
                && workerB.ownedPartitions("proc").size() == 2);
        return new Pair(a, b, workerA, workerB);
    }

    private static long generation(App app) {
        return app.status().processor("proc").assignmentGeneration();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void a_member_back_within_the_session_timeout_gets_its_partitions_and_nobody_moves(TransportKind transport) {
        String name = TestApps.uniqueName("static");
        Pair pair = startPair(transport, name, Duration.ofSeconds(60));
        Worker workerA = pair.workerA();
        Worker workerB = pair.workerB();
        App b = pair.b();
        Set<Integer> ofA = workerA.ownedPartitions("proc");
        Set<Integer> ofB = workerB.ownedPartitions("proc");
        long generation = generation(b);

        workerA.stop();
        // Longer than the others' reaping interval (at most 1 s + lock_expiry / 2): host-a is
        // not reaped, and its partitions wait for it.
        await().during(Duration.ofSeconds(4)).atMost(PATIENCE).until(() ->
                workerB.assignedPartitions("proc").equals(ofB) && workerB.ownedPartitions("proc").equals(ofB));
        App again = process(transport, name, "host-a", Duration.ofSeconds(60));
        Worker returned = again.worker("proc").start();

        await().atMost(PATIENCE).until(() -> returned.ownedPartitions("proc").equals(ofA));
        assertThat(workerB.ownedPartitions("proc")).isEqualTo(ofB);
        assertThat(workerB.assignedPartitions("proc")).isEqualTo(ofB);
        assertThat(generation(b)).as("the membership record never changed").isEqualTo(generation);
        returned.stop();
        workerB.stop();
    }

    @ParameterizedTest
    @TransportKind.Every
    void a_member_away_longer_than_the_session_timeout_is_replaced(TransportKind transport) {
        Pair pair = startPair(transport, TestApps.uniqueName("static"), Duration.ofMillis(500));
        Worker workerA = pair.workerA();
        Worker workerB = pair.workerB();
        App b = pair.b();
        Set<Integer> ofB = workerB.ownedPartitions("proc");

        workerA.stop();

        await().atMost(PATIENCE).until(() -> workerB.ownedPartitions("proc").size() == 4);
        assertThat(b.status().processor("proc").members()).extracting(MemberStatus::executor)
                .containsExactly("host-b");
        Set<Integer> all = new HashSet<>(workerB.ownedPartitions("proc"));
        assertThat(all).containsAll(ofB);
        workerB.stop();
    }

    @ParameterizedTest
    @TransportKind.Memory
    void a_second_live_process_with_the_same_member_id_is_refused(TransportKind transport) throws Exception {
        String name = TestApps.uniqueName("static");
        App first = process(transport, name, "host-a", Duration.ofSeconds(60));
        App duplicate = process(transport, name, "host-a", Duration.ofSeconds(60));
        Worker running = first.worker("proc").start();
        await().atMost(PATIENCE).until(() -> running.ownedPartitions("proc").size() == 4);
        long generation = generation(first);

        Worker refused = duplicate.worker("proc").start();

        assertThat(refused.awaitStopped(PATIENCE)).isTrue();
        assertThatThrownBy(refused::await).isInstanceOf(Misconfigured.class)
                .hasMessageContaining("member_id 'host-a' is in use");
        assertThat(running.ownedPartitions("proc")).hasSize(4);
        assertThat(first.status().processor("proc").members()).extracting(MemberStatus::executor)
                .containsExactly("host-a");
        assertThat(generation(first)).isEqualTo(generation);
        running.stop();
    }
}
