// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs one processor inside one worker, from joining its members to leaving them: it claims
 * its member id, joins, starts the threads around the partitions (fetcher, acker, heartbeat,
 * reaper, retention, control reader) and hands its own thread to the {@link Coordinator},
 * which owns the partitions; on a stop it drains them and leaves.
 *
 * <p>Who may process which partition, and why, is in {@link Ownership}; how the threads share
 * the work is described in {@code docs/contributing/threads.md}.
 */
final class Executor {
    private static final Logger log = LoggerFactory.getLogger(Executor.class);

    /** The member id if the app has one (a static member), else random (a dynamic member). */
    final String id;
    /** Whether this executor keeps its place while away (see {@link StaticMember}). */
    private final boolean staticMember;
    /** The heartbeat and reservation of a static member's id; unused by a dynamic member. */
    private final StaticMember staticIdentity;
    /** Set once this executor holds its id: only then may a stop make it leave or delete its heartbeat. */
    private volatile boolean joined;
    private final Processor<?> processor;
    private final Transport transport;
    private final Membership membership;
    private final Consumer<Throwable> failures;
    private final Map<String, String> mdc = new LinkedHashMap<>();
    private final Ownership ownership;
    private final Coordinator coordinator;
    private final Heartbeat heartbeat;
    private final StopSignal stopSignal = new StopSignal();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<Thread> helpers = new ArrayList<>();
    private final Acker acker;
    private final Fetcher fetcher;
    /** Set by {@link #abandon()}: stop like a killed process, leaving everything to expire. */
    private volatile boolean abandoned;
    /** This executor's share of the processor's owned- and stuck-partitions gauges. */
    private final Supplier<Set<Integer>> ownedView;
    private final Supplier<Set<Integer>> stuckView;

    /**
     * @param workerId the worker this executor runs in (for logs and status marks)
     * @param failures where a failure that must stop the worker goes
     */
    Executor(Processor<?> processor, Transport transport, Membership membership, String workerId,
             Consumer<Throwable> failures) {
        this.processor = processor;
        this.transport = transport;
        this.membership = membership;
        this.failures = failures;
        this.staticMember = processor.memberId() != null;
        this.id = staticMember ? processor.memberId() : Ids.random();
        String instance = Ids.random(); // this process's claim on a static member id: its heartbeat's value
        this.staticIdentity = new StaticMember(processor, transport, id, instance, processor.ticker()::nanos);
        mdc.put("worker", workerId);
        mdc.put("executor", id);
        mdc.put("stream", processor.stream().name());
        mdc.put("processor", processor.name());
        this.ownership = new Ownership(processor.name());
        this.ownedView = ownership::partitions;
        this.stuckView = () -> ownership.partitionsIn(PartitionState.STUCK);
        PartitionLocks locks = new PartitionLocks(processor, transport, id);
        PartitionMarks marks = new PartitionMarks(processor, transport, id, workerId);
        // The acker, the fetcher and the consumers report to the coordinator; the methods passed
        // read the fields when they run, once the constructor is done.
        this.acker = new Acker(transport, processor.group(), processor.metrics(), mdc, this::acksRefused);
        Departures departures = new Departures(processor, transport, ownership, locks, marks, acker, new Listeners(processor));
        this.coordinator = new Coordinator(id, processor, ownership, membership, locks, marks, departures, acker,
                this::startConsumer,
                this::rejoin, failures);
        this.fetcher = new Fetcher(processor, transport, acker, coordinator, mdc);
        this.heartbeat = new Heartbeat(processor, transport, id, staticMember ? instance : "beat",
                staticMember ? staticIdentity : null, locks, ownership::leases,
                () -> InFlightReport.write(ownership.running(), processor.ticker(), Clock.systemUTC()), coordinator);
    }

    private void acksRefused(Lease lease) {
        coordinator.leaseLost(lease, "the server refused its acks: its lock no longer holds this executor's token");
    }

    private RunningPartition startConsumer(Lease lease) {
        return ConsumerThread.start(processor, lease, fetcher, acker, coordinator, mdc);
    }

    void start() {
        Thread.ofVirtual().name("runnel-executor-" + processor.name()).start(this::run);
    }

    /** Asks the executor to stop; {@link #awaitFinished} waits for it to drain and leave. */
    void stop() {
        stopSignal.stop();
        coordinator.wake();
    }

    /**
     * Stops as if the process had been killed: no drain, no ack flush, no release, no leave.
     * Locks and heartbeat expire and other executors recover the partitions; for tests of
     * crash recovery without a second process.
     */
    void abandon() {
        abandoned = true;
        stop();
    }

    boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    Set<Integer> ownedPartitions() {
        return ownership.partitions();
    }

    Set<Integer> assignedPartitions() {
        return coordinator.assigned();
    }

    Set<Integer> stuckPartitions() {
        return ownership.partitionsIn(PartitionState.STUCK);
    }

    Set<Integer> poisonedPartitions() {
        return ownership.partitionsIn(PartitionState.QUARANTINED);
    }

    String processorName() {
        return processor.name();
    }

    private void run() {
        MDC.setContextMap(mdc);
        processor.metrics().addOwner(ownedView, stuckView);
        try {
            // The delay comes before the join, not after it: the members keep their partitions
            // while a newcomer waits, so the partitions it is given pause only for the hand-over
            // (tens of ms), not for the whole delay.
            if (!processor.joinDelay().isZero() && stopSignal.await(processor.joinDelay())) {
                return;
            }
            String controlFrom = transport.lastId(processor.controlKey());
            if (staticMember) {
                staticIdentity.claim(stopSignal::await);
            } else {
                heartbeat.beat();
            }
            joined = true;
            membership.join(id);
            log.info("executor joined processor {} of stream {}", processor.name(), processor.stream().name());
            acker.start();
            fetcher.start();
            helper("heartbeat", heartbeat);
            helper("maintenance", new Reaper(processor, membership, coordinator::wake, stopSignal));
            helper("retention", new RetentionTask(processor, transport, acker, ownership::partitions, stopSignal));
            helper("control", new ControlReader(processor, transport, controlFrom, coordinator::wake, stopSignal));
            coordinator.run(stopSignal::stopped);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (!stopSignal.stopped()) {
                log.error("executor of processor {} failed", processor.name(), t);
                failures.accept(t);
            }
        } finally {
            shutdown();
            processor.metrics().removeOwner(ownedView, stuckView);
            finished.countDown();
            MDC.clear();
        }
    }

    /** Starts a background loop on a virtual thread of its own, with this executor's log context. */
    private void helper(String name, Runnable loop) {
        helpers.add(Thread.ofVirtual().name("runnel-" + name + "-" + processor.name()).start(() -> {
            MDC.setContextMap(mdc);
            loop.run();
        }));
    }

    private void rejoin() {
        heartbeat.beat();
        membership.join(id);
    }

    private void shutdown() {
        if (abandoned) {
            heartbeat.stop();
            fetcher.stop();
            acker.discard();
            ownership.entries().forEach(e -> {
                if (e.running() != null) {
                    e.running().close();
                    e.running().interrupt();
                }
            });
            log.warn("executor abandoned without releasing partitions {}", ownedPartitions());
            return;
        }
        try {
            coordinator.drain();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.error("interrupted while releasing partitions; their locks expire after {}", processor.lockExpiry());
        } catch (RuntimeException e) {
            log.error("could not release partitions cleanly; their locks expire after {}", processor.lockExpiry(), e);
        }
        heartbeat.stop();
        fetcher.stop();
        acker.stop();
        // No interrupts: every loop wakes on the stop signal, and interrupting a blocking
        // read could break its pooled connection. The control read blocks at most 1 s.
        for (Thread t : helpers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!joined) {
            return; // refused its member id: the member belongs to another process
        }
        leave();
    }

    private void leave() {
        try {
            acker.flush();
            if (staticMember) {
                // Stays a member: its partitions wait for it (released, so nothing is locked)
                // until the reservation runs out, and a restart is not kept waiting by the heartbeat.
                staticIdentity.reserve();
                transport.delete(List.of(processor.heartbeatKey(id), processor.inFlightKey(id)));
                log.info("executor stopped; member {} keeps its partitions reserved for {}", id, processor.sessionTimeout());
                return;
            }
            membership.leave(id);
            transport.delete(List.of(processor.heartbeatKey(id), processor.inFlightKey(id)));
            log.info("executor left processor {}", processor.name());
        } catch (RuntimeException e) {
            log.error("could not announce departure; other executors will find this one dead after {}",
                    processor.lockExpiry(), e);
        }
    }
}
