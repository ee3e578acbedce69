// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.google.inject.AbstractModule;
import io.runnel.api.Misconfigured;
import io.runnel.api.transport.Transport;
import io.runnel.engine.memory.VirtualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The static member's claim in virtual time: the keys live in an in-memory store whose clock
 * moves only when the claim pauses, and a peer reaps dead members at every pause, so the
 * moment between the predecessor's keys expiring and the new claim is hit every time.
 */
class StaticMemberTest {
    private static final Duration LOCK_EXPIRY = Duration.ofSeconds(3);

    private final AtomicLong millis = new AtomicLong(1_000);
    private final Transport transport = VirtualTime.store(() -> 1_700_000_000_000L + millis.get(), millis::get);
    private App app;
    private Processor<?> processor;
    private Membership membership;

    @BeforeEach
    void define() {
        app = App.builder(TestApps.uniqueName("claim"))
                .redisUrl("memory://unused")
                .setting("transport", "memory")
                .setting("default_lock_expiry", LOCK_EXPIRY.toMillis() + "ms") // session_timeout defaults to it
                .setting("default_grace_period", "1s")
                .setting("default_read_timeout", "200ms")
                .module(new AbstractModule() {
                    @Override
                    protected void configure() {
                        bind(Transport.class).toInstance(transport);
                    }
                })
                .build();
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        app.processor(orders, "proc", events -> events.records().forEach(o -> { }));
        processor = app.processor("proc");
        membership = app.membership(processor);
    }

    @AfterEach
    void close() {
        app.close();
    }

    /** host-a's process beat for the last time just now and crashed; host-b lives on. */
    private Map<String, Membership.Member> crashedMemberAndALivePeer() {
        membership.join("host-a");
        membership.join("host-b");
        transport.set(processor.heartbeatKey("host-a"), "crashed-process", LOCK_EXPIRY);
        transport.set(processor.reservationKey("host-a"), "crashed-process", processor.sessionTimeout());
        transport.set(processor.heartbeatKey("host-b"), "peer", Duration.ofHours(1));
        return membership.read();
    }

    private StaticMember restarted(String memberId) {
        return new StaticMember(processor, transport, memberId, "restarted-process",
                () -> TimeUnit.MILLISECONDS.toNanos(millis.get()));
    }

    @Test
    void a_reap_while_the_restarted_process_waits_for_the_crashed_ones_heartbeat_moves_nothing() throws Exception {
        Map<String, Membership.Member> before = crashedMemberAndALivePeer();
        List<String> reaped = new ArrayList<>();

        // Each pause moves time on by the retry step, then the peer's maintenance loop reaps:
        // one of them falls after both of the crashed process's keys expired (together, with the
        // default session_timeout) and before the next try of the claim.
        restarted("host-a").claim(step -> {
            millis.addAndGet(step.toMillis());
            reaped.addAll(membership.reap());
            return false;
        });

        assertThat(millis.get() - 1_000).as("the claim waited for the crashed process's heartbeat to expire")
                .isGreaterThanOrEqualTo(LOCK_EXPIRY.toMillis());
        assertThat(reaped).as("members reaped while host-a's new process waited").isEmpty();
        assertThat(membership.read()).isEqualTo(before);
        assertThat(transport.get(processor.heartbeatKey("host-a"))).contains("restarted-process");
        assertThat(transport.get(processor.reservationKey("host-a"))).contains("restarted-process");
    }

    @Test
    void a_member_whose_keys_lapsed_before_anyone_came_back_is_still_reaped() {
        crashedMemberAndALivePeer();
        millis.addAndGet(LOCK_EXPIRY.toMillis() + 1);

        assertThat(membership.reap()).containsExactly("host-a");
        assertThat(membership.read()).containsOnlyKeys("host-b");
    }

    @Test
    void a_live_process_keeps_its_id_and_the_second_one_is_refused_after_lock_expiry() {
        crashedMemberAndALivePeer();
        StaticMember duplicate = restarted("host-b");

        assertThatThrownBy(() -> duplicate.claim(step -> {
            millis.addAndGet(step.toMillis());
            return false;
        })).isInstanceOf(Misconfigured.class).hasMessageContaining("member_id 'host-b' is in use");
        assertThat(transport.get(processor.heartbeatKey("host-b"))).as("the live process's heartbeat").contains("peer");
    }
}
