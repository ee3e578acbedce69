// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.google.inject.AbstractModule;
import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.ProcessingTimeout;
import io.runnel.api.transport.Transport;
import io.runnel.engine.memory.VirtualTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator stepped by hand through its state machine, in virtual time: Redis is the
 * in-memory store, whose keys expire on the same manual ticker the leases read, and each
 * partition's consumer is a script the test plays (it holds a delivery, ignores or heeds an
 * interrupt, exits). No thread runs but the test's, and nothing sleeps.
 */
class CoordinatorTest {
    private static final Duration LOCK_EXPIRY = Duration.ofSeconds(4);
    private static final Duration GRACE = Duration.ofSeconds(2);
    private static final Duration MAX_PROCESSING = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofMillis(500);
    private static final Duration ASSIGNMENT_SLEEP = Duration.ofMillis(100);
    private static final int PARTITIONS = 4;

    private final AtomicLong nanos = new AtomicLong(TimeUnit.HOURS.toNanos(1));
    private final Ticker ticker = nanos::get;
    private final Transport store = VirtualTime.store(() -> 1_700_000_000_000L + millis(), this::millis);
    private final String name = TestApps.uniqueName("coordinator");
    private final List<App> apps = new ArrayList<>();

    @AfterEach
    void close() {
        apps.forEach(App::close);
    }

    // ------------------------------------------------------------------- the tests

    @Test
    void a_member_that_joins_alone_acquires_every_partition_and_starts_a_consumer_for_each() {
        Member a = member("a", null, ExceptionPolicy.HALT);

        a.join();
        a.step();

        assertThat(a.ownership.partitions()).containsExactly(0, 1, 2, 3);
        assertThat(a.ownership.entries()).allSatisfy(e -> assertThat(e.state()).isEqualTo(PartitionState.FLOWING));
        assertThat(a.started.keySet()).containsExactly(0, 1, 2, 3);
        assertThat(a.heard).containsExactly("assigned [0, 1, 2, 3]");
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(store.get(a.processor.lockKey(p)).orElseThrow()).startsWith("a:");
        }
    }

    @Test
    void a_rebalance_releases_only_after_the_consumer_exits_and_its_read_ends_and_the_newcomer_waits_for_it() {
        Member a = joined("a", null, ExceptionPolicy.HALT);
        Member b = member("b", null, ExceptionPolicy.HALT);
        b.join();

        a.controlMessage();
        Set<Integer> moving = new TreeSet<>(a.ownership.partitionsIn(PartitionState.RELEASING));
        assertThat(moving).hasSize(2);
        moving.forEach(p -> assertThat(a.started.get(p).closed).as("closed, nothing more handed out").isTrue());

        b.step();
        assertThat(b.ownership.partitions()).as("still locked by a").isEmpty();

        ScriptedPartition first = a.started.get(moving.iterator().next());
        first.reading = true;
        moving.forEach(p -> a.started.get(p).exit());
        a.step();
        assertThat(a.ownership.partitionsIn(PartitionState.RELEASING)).as("a read is still in flight").isEqualTo(moving);

        assertThat(a.rebalancesTimed()).as("the first acquisition only: this rebalance is timed until its release ends")
                .isEqualTo(1);

        first.readEnds();
        a.step();
        assertThat(a.rebalancesTimed()).isEqualTo(2);
        assertThat(a.ownership.partitions()).hasSize(2).doesNotContainAnyElementsOf(moving);
        assertThat(a.heard).last().isEqualTo("revoked " + moving);
        moving.forEach(p -> assertThat(store.get(a.processor.lockKey(p))).as("lock deleted").isEmpty());
        moving.forEach(p -> assertThat(a.started.get(p).lease.valid()).as("the released lease is void").isFalse());

        advance(ASSIGNMENT_SLEEP);
        b.step();
        assertThat(b.ownership.partitions()).isEqualTo(moving);
    }

    @Test
    void a_release_does_not_wait_on_the_coordinator_and_ends_at_its_deadlines_if_the_consumer_never_exits() {
        Member a = joined("a", null, ExceptionPolicy.HALT);
        Member b = member("b", null, ExceptionPolicy.HALT);
        b.join();
        a.controlMessage();
        Set<Integer> moving = a.ownership.partitionsIn(PartitionState.RELEASING);
        ScriptedPartition stubborn = a.started.get(moving.iterator().next());
        moving.stream().filter(p -> p != stubborn.lease.partition).forEach(p -> a.started.get(p).exit());

        pass(GRACE.minusMillis(1), a);
        assertThat(stubborn.interrupts).as("not before the grace period").isZero();

        pass(Duration.ofMillis(1), a);
        assertThat(stubborn.interrupts).as("interrupted at the grace period").isEqualTo(1);
        assertThat(a.ownership.partitionsIn(PartitionState.RELEASING)).isEqualTo(moving);

        pass(Duration.ofSeconds(1), a);
        assertThat(a.ownership.partitionsIn(PartitionState.RELEASING)).as("released a second after the interrupt").isEmpty();
        assertThat(stubborn.lease.valid()).as("its late acks are refused").isFalse();
    }

    @Test
    void a_lease_that_runs_out_without_a_heartbeat_is_lost_then_taken_again_under_a_new_token() {
        Member a = joined("a", null, ExceptionPolicy.HALT);
        Lease before = a.ownership.get(0).lease();
        a.heartbeat(); // the member stays, but the locks are not extended

        advance(LOCK_EXPIRY.minus(a.processor.leaseMargin()));
        a.step();

        assertThat(before.valid()).isFalse();
        assertThat(a.started.get(0).expired).as("buffer dropped").isTrue();
        assertThat(a.heard).contains("lost [0]", "lost [3]");
        assertThat(a.ownership.partitions()).isEmpty();
        a.step();
        assertThat(a.ownership.partitions()).as("taken again at the next step: the locks were deleted").containsExactly(0, 1, 2, 3);
        Lease after = a.ownership.get(0).lease();
        assertThat(after).isNotSameAs(before);
        assertThat(after.fence.token()).isNotEqualTo(before.fence.token());
    }

    @Test
    void a_stuck_delivery_whose_thread_comes_back_is_flowing_again() {
        Member a = joined("a", null, ExceptionPolicy.IGNORE);
        ScriptedPartition p0 = a.started.get(0);
        p0.hold(delivery(a, 0));

        pass(MAX_PROCESSING.minusMillis(1), a);
        assertThat(a.ownership.get(0).state()).isEqualTo(PartitionState.FLOWING);
        pass(Duration.ofMillis(1), a);
        assertThat(a.ownership.get(0).state()).isEqualTo(PartitionState.STUCK);
        assertThat(p0.interrupts).isEqualTo(1);
        assertThat(p0.timedOut.eventIds()).containsExactly("1-0");
        assertThat(store.get(a.processor.stuckKey(0))).isPresent();

        p0.comeBack();
        a.renewAndStep();
        assertThat(a.ownership.get(0).state()).isEqualTo(PartitionState.FLOWING);
        assertThat(store.get(a.processor.stuckKey(0))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(ExceptionPolicy.class)
    void a_thread_that_ignores_its_interrupt_for_the_grace_period_is_given_up_as_the_policy_says(ExceptionPolicy policy) {
        Member a = joined("a", null, policy);
        ScriptedPartition p0 = a.started.get(0);
        p0.hold(delivery(a, 0));
        pass(MAX_PROCESSING, a);
        Lease stuckLease = a.ownership.get(0).lease();

        pass(GRACE, a);

        assertThat(stuckLease.valid()).as("the stuck thread can no longer act").isFalse();
        assertThat(store.get(a.processor.stuckKey(0))).isEmpty();
        switch (policy) {
            case QUARANTINE -> {
                Ownership.Entry e = a.ownership.get(0);
                assertThat(e.state()).isEqualTo(PartitionState.QUARANTINED);
                assertThat(e.lease()).as("one lease per entry: the successor").isNotSameAs(stuckLease);
                assertThat(e.lease().valid()).isTrue();
                assertThat(e.running()).as("the stuck thread is no longer the entry's").isNull();
                assertThat(store.get(a.processor.poisonedKey(0))).isPresent();
                assertThat(store.get(a.processor.lockKey(0))).as("lock kept").isPresent();
                assertThat(a.failures).isEmpty();
            }
            case HALT -> {
                assertThat(a.heard).contains("lost [0]");
                assertThat(a.failures).singleElement().isInstanceOf(ProcessingTimeout.class);
            }
            case IGNORE, PARK -> {
                assertThat(a.heard).contains("lost [0]");
                assertThat(a.failures).isEmpty();
                a.step();
                assertThat(a.ownership.get(0).lease()).as("taken again under a new lease").isNotSameAs(stuckLease);
                assertThat(a.ownership.get(0).state()).isEqualTo(PartitionState.FLOWING);
            }
        }
    }

    @Test
    void a_consumer_that_quarantines_its_partition_is_poisoned_and_keeps_its_lock() {
        Member a = joined("a", null, ExceptionPolicy.QUARANTINE);
        ScriptedPartition p1 = a.started.get(1);

        a.coordinator.quarantine(p1.lease, new IllegalStateException("poison"));
        a.step();

        assertThat(a.ownership.get(1).state()).isEqualTo(PartitionState.QUARANTINED);
        assertThat(a.ownership.get(1).lease()).isSameAs(p1.lease);
        assertThat(p1.closed).isTrue();
        assertThat(store.get(a.processor.poisonedKey(1))).isPresent();

        a.coordinator.quarantine(p1.lease, new IllegalStateException("again")); // a stale report changes nothing
        a.step();
        assertThat(a.ownership.get(1).state()).isEqualTo(PartitionState.QUARANTINED);
    }

    @Test
    void a_release_during_a_stuck_delivery_interrupts_nothing_more_and_frees_the_lock_for_the_next_owner() {
        Member a = joined("a", null, ExceptionPolicy.QUARANTINE);
        for (ScriptedPartition p : a.started.values()) {
            p.hold(delivery(a, p.lease.partition));
        }
        pass(MAX_PROCESSING, a);
        assertThat(a.ownership.partitionsIn(PartitionState.STUCK)).containsExactly(0, 1, 2, 3);
        Member b = member("b", null, ExceptionPolicy.QUARANTINE);
        b.join();

        a.controlMessage();
        Set<Integer> moving = a.ownership.partitionsIn(PartitionState.RELEASING);
        assertThat(moving).hasSize(2);
        int interruptsBefore = a.started.get(moving.iterator().next()).interrupts;
        pass(GRACE.plusSeconds(1), a);
        assertThat(a.started.get(moving.iterator().next()).interrupts).as("interrupted once more at the grace period")
                .isEqualTo(interruptsBefore + 1);

        assertThat(a.ownership.partitions()).doesNotContainAnyElementsOf(moving);
        moving.forEach(p -> assertThat(store.get(a.processor.stuckKey(p))).as("stuck mark cleared").isEmpty());
        moving.forEach(p -> assertThat(a.started.get(p).lease.valid()).isFalse());
        b.heartbeat();
        b.step();
        assertThat(b.ownership.partitions()).isEqualTo(moving);
    }

    @Test
    void a_static_member_that_comes_back_within_its_session_timeout_gets_its_partitions_back() throws Exception {
        Member a = joined("a", "host-a", ExceptionPolicy.HALT);
        Member b = member("b", null, ExceptionPolicy.HALT);
        b.join();
        a.controlMessage();
        a.started.values().forEach(ScriptedPartition::exit);
        a.step();
        b.step();
        Set<Integer> ofA = a.ownership.partitions();
        assertThat(ofA).hasSize(2);

        a.started.values().forEach(ScriptedPartition::exit);
        a.coordinator.drain(); // a stops: released, its member id stays reserved
        assertThat(a.ownership.partitions()).isEmpty();
        a.staticIdentity().reserve();
        store.delete(List.of(a.processor.heartbeatKey("host-a")));

        pass(a.processor.sessionTimeout().minusMillis(100), b);
        assertThat(a.membership.reap()).as("a reserved member is not reaped").isEmpty();
        b.step();
        assertThat(b.ownership.partitions()).as("b does not take a's partitions").doesNotContainAnyElementsOf(ofA);

        Member back = member("a2", "host-a", ExceptionPolicy.HALT);
        back.staticIdentity().claim(pause -> false);
        back.membership.join("host-a");
        back.step();
        assertThat(back.ownership.partitions()).isEqualTo(ofA);
    }

    // ------------------------------------------------------------------- the harness

    private long millis() {
        return TimeUnit.NANOSECONDS.toMillis(nanos.get());
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    /** Moves time on by {@code d}, as running members see it: their heartbeats renew at least every second. */
    private void pass(Duration d, Member... members) {
        long left = d.toNanos();
        while (left > 0) {
            long stepNanos = Math.min(left, TimeUnit.SECONDS.toNanos(1));
            nanos.addAndGet(stepNanos);
            left -= stepNanos;
            for (Member m : members) {
                m.renewAndStep();
            }
        }
    }

    /** A delivery of one event, as the consumer would hold it. */
    private static Delivery delivery(Member m, int partition) {
        @SuppressWarnings("unchecked")
        Stream<Order> orders = (Stream<Order>) m.processor.stream();
        Map<String, byte[]> fields = orders.codec().encode(new Order("key-" + partition, 1, Instant.EPOCH, 1.0));
        return new Delivery("proc", partition, List.of(new Event("orders", partition, "1-0", fields)));
    }

    /** A member that joined and took what it was assigned. */
    private Member joined(String executorId, String memberId, ExceptionPolicy policy) {
        Member m = member(executorId, memberId, policy);
        m.join();
        m.step();
        return m;
    }

    /** One executor's coordinator, with its own app (same name, same store): a worker process of its own. */
    private Member member(String executorId, String memberId, ExceptionPolicy policy) {
        return new Member(executorId, memberId, policy);
    }

    private final class Member {
        final String id;
        final App app;
        final Processor<?> processor;
        final Membership membership;
        final Ownership ownership;
        final Coordinator coordinator;
        final Map<Integer, ScriptedPartition> started = new HashMap<>();
        final List<String> heard = new ArrayList<>();
        final List<Throwable> failures = new ArrayList<>();
        private final PartitionLocks locks;

        Member(String executorId, String memberId, ExceptionPolicy policy) {
            App.Builder builder = App.builder(name)
                    .redisUrl("memory://unused")
                    .setting("transport", "memory")
                    .setting("default_partition_count", Integer.toString(PARTITIONS))
                    .module(new AbstractModule() {
                        @Override
                        protected void configure() {
                            bind(Transport.class).toInstance(store);
                            bind(Ticker.class).toInstance(ticker);
                        }
                    });
            if (memberId != null) {
                builder.setting("member_id", memberId);
            }
            app = builder.build();
            apps.add(app);
            app.processor(app.stream("orders", Order.class, Order::key), "proc", o -> o
                    .exceptionPolicy(policy)
                    .lockExpiry(LOCK_EXPIRY)
                    .gracePeriod(GRACE)
                    .readTimeout(READ_TIMEOUT)
                    .maxProcessingTime(MAX_PROCESSING)
                    .assignmentSleep(ASSIGNMENT_SLEEP)
                    .rebalanceListener(new RebalanceListener() {
                        @Override
                        public void onPartitionsAssigned(String processor, Set<Integer> partitions) {
                            heard.add("assigned " + partitions);
                        }

                        @Override
                        public void onPartitionsRevoked(String processor, Set<Integer> partitions) {
                            heard.add("revoked " + partitions);
                        }

                        @Override
                        public void onPartitionsLost(String processor, Set<Integer> partitions) {
                            heard.add("lost " + partitions);
                        }
                    }), events -> events.records().forEach(o -> { }));
            processor = app.processor("proc");
            membership = app.membership(processor);
            membership.createGroups(IntStream.range(0, PARTITIONS).mapToObj(processor.stream()::partitionKey).toList());
            id = memberId != null ? memberId : executorId;
            ownership = new Ownership(processor.name());
            locks = new PartitionLocks(processor, store, id);
            PartitionMarks marks = new PartitionMarks(processor, store, id, "worker-" + executorId);
            Acker acker = new Acker(store, processor.group(), processor.metrics(), Map.of(), lease -> { });
            Departures departures = new Departures(processor, store, ownership, locks, marks, acker, new Listeners(processor));
            Coordinator[] self = new Coordinator[1];
            coordinator = new Coordinator(id, processor, ownership, membership, locks, marks, departures, acker,
                    lease -> {
                        ScriptedPartition p = new ScriptedPartition(lease, self[0], ticker);
                        started.put(lease.partition, p);
                        return p;
                    },
                    () -> {
                        heartbeat();
                        membership.join(id);
                    }, failures::add);
            self[0] = coordinator;
        }

        long rebalancesTimed() {
            return app.metrics().timer("runnel." + name + ".proc.rebalances").getCount();
        }

        StaticMember staticIdentity() {
            return new StaticMember(processor, store, id, "instance-of-" + id, ticker::nanos);
        }

        void heartbeat() {
            store.renew(processor.heartbeatKey(id), "beat", processor.lockExpiry());
        }

        void join() {
            heartbeat();
            membership.join(id);
        }

        /** One coordinator step, due or not: a membership check comes first when assignment_sleep has passed. */
        void step() {
            coordinator.step(true);
        }

        /** What the control reader does at an announcement (a join, a leave), then a step. */
        void controlMessage() {
            coordinator.wake();
            step();
        }

        /** What the heartbeat would have done meanwhile, then a step. */
        void renewAndStep() {
            heartbeat();
            locks.extend(ownership.leases());
            step();
        }
    }

    /** A partition's consumer as a script: the test says what its thread does. */
    private static final class ScriptedPartition implements RunningPartition {
        final Lease lease;
        private final CoordinatorInbox coordinator;
        private final Ticker ticker;
        boolean closed;
        boolean expired;
        boolean exited;
        boolean reading;
        int interrupts;
        Holding holding;
        ProcessingTimeout timedOut;

        ScriptedPartition(Lease lease, CoordinatorInbox coordinator, Ticker ticker) {
            this.lease = lease;
            this.ticker = ticker;
            this.coordinator = coordinator;
        }

        void hold(Delivery delivery) {
            holding = new Holding(delivery, ticker.nanos());
        }

        /** Its thread heeded the interrupt: the policy handled the timeout. */
        void comeBack() {
            timedOut = null;
            holding = null;
        }

        void exit() {
            exited = true;
            coordinator.settled(lease);
        }

        void readEnds() {
            reading = false;
            coordinator.settled(lease);
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void expire() {
            closed = true;
            expired = true;
        }

        @Override
        public Holding holding() {
            return holding;
        }

        @Override
        public int inFlight() {
            return holding == null ? 0 : 1;
        }

        @Override
        public boolean isTimedOut() {
            return timedOut != null;
        }

        @Override
        public boolean timeOut(Holding held, ProcessingTimeout timeout) {
            if (holding != held || timedOut != null) {
                return false;
            }
            timedOut = timeout;
            interrupts++;
            return true;
        }

        @Override
        public StackTraceElement[] stackTrace(Holding held) {
            return new StackTraceElement[0];
        }

        @Override
        public void interrupt() {
            interrupts++;
        }

        @Override
        public boolean exited() {
            return exited;
        }

        @Override
        public boolean reading() {
            return reading;
        }
    }
}
