// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;
import io.runnel.api.ProcessingTimeout;
import io.runnel.api.RebalanceFailed;
import io.runnel.api.RunnelException;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs one processor inside one worker: it joins the processor's members, owns the
 * partitions assigned to it (holding their locks), runs a consumer per owned partition,
 * and follows every membership change announced on the control stream — releasing what it
 * lost (after the current iteration, within the grace period, acks flushed) before
 * acquiring what it gained.
 *
 * <p>One thread, the coordinator (the executor's own), changes what the executor owns and
 * calls the rebalance listeners, one call at a time. The heartbeat, the control-stream
 * reader, the fetcher, the acker and the consumers only post {@link Signal}s to it. Each
 * owned partition has a {@link Lease}; the coordinator also wakes at the earliest lease
 * deadline, so a partition whose lease ran out is given up at once, whatever the other
 * threads are doing.
 */
final class Executor implements PartitionConsumer.ExecutorCallbacks {
    private static final Logger log = LoggerFactory.getLogger(Executor.class);

    /** One owned partition. */
    private record Owned(Lease lease, PartitionBuffer buffer, PartitionConsumer<?> consumer, Thread thread) {
    }

    /** A delivery timed out and interrupted; if its thread has not come back by {@code giveUpAt}, the partition goes. */
    private record Stuck(ProcessingTimeout timeout, long giveUpAt) {
    }

    /** What other threads tell the coordinator. */
    private sealed interface Signal {
    }

    /** Check the membership now (a control message, a stop, a lost partition to take back). */
    private record Wake() implements Signal {
        static final Wake INSTANCE = new Wake();
    }

    /** A lease ended without the coordinator ending it. */
    private record LeaseLost(Lease lease, String why) implements Signal {
    }

    /** The processor failed on a partition under the QUARANTINE policy (or its key is unreadable). */
    private record Quarantined(Lease lease, Throwable error) implements Signal {
    }

    /** The member id if the app has one (a static member), else random (a dynamic member). */
    final String id;
    /** Whether this executor keeps its place while away (see {@link StaticMember}). */
    private final boolean staticMember;
    /** This process's claim on a static member id: the value of its heartbeat key. */
    private final String instance = Ids.random();
    /** The heartbeat and reservation of a static member's id; unused by a dynamic member. */
    private final StaticMember staticIdentity;
    /** Set once this executor holds its id: only then may a stop make it leave or delete its heartbeat. */
    private volatile boolean joined;
    private final Processor<?> processor;
    private final Transport transport;
    private final Membership membership;
    private final Worker worker;
    private final Map<String, String> mdc = new LinkedHashMap<>();
    /** Changed by the coordinator only; read by status views and the heartbeat. */
    private final Map<Integer, Owned> owned = new ConcurrentHashMap<>();
    /** Changed by the coordinator only. */
    private final Set<Integer> poisoned = ConcurrentHashMap.newKeySet();
    /** Partitions whose delivery outlived max_processing_time; changed by the coordinator only. */
    private final Map<Integer, Stuck> stuck = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    /** The heartbeat goes on until every partition is released, which a stop does last. */
    private final CountDownLatch heartbeatStop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final List<Thread> helpers = new ArrayList<>();
    private final Outage coordinationOutage;
    private final Acker acker;
    private final Fetcher fetcher;
    private final PartitionMarks marks;
    private final PartitionLocks locks;
    private volatile Set<Integer> assigned = Set.of();
    /** Set by {@link #abandon()}: stop like a killed process, leaving everything to expire. */
    private volatile boolean abandoned;
    private int failedAttempts;
    private boolean warnedIdle;
    /** This executor's share of the processor's owned-partitions gauge. */
    private final Supplier<Set<Integer>> ownedView = owned::keySet;
    /** This executor's share of the processor's stuck-partitions gauge. */
    private final Supplier<Set<Integer>> stuckView = stuck::keySet;

    Executor(Processor<?> processor, Transport transport, Membership membership, Worker worker) {
        this.processor = processor;
        this.transport = transport;
        this.membership = membership;
        this.worker = worker;
        this.staticMember = processor.memberId() != null;
        this.id = staticMember ? processor.memberId() : Ids.random();
        this.staticIdentity = new StaticMember(processor, transport, id, instance, System::nanoTime);
        mdc.put("worker", worker.id());
        mdc.put("executor", id);
        mdc.put("stream", processor.stream().name());
        mdc.put("processor", processor.name());
        this.acker = new Acker(transport, processor.group(), processor.metrics(), mdc,
                lease -> leaseLost(lease, "the server refused its acks: its lock no longer holds this executor's token"));
        this.fetcher = new Fetcher(processor, transport, acker, membership, this, mdc);
        this.marks = new PartitionMarks(processor, transport, id, worker.id());
        this.locks = new PartitionLocks(processor, transport, id);
        this.coordinationOutage = new Outage(log, "coordinating partitions", processor.metrics().redisOom());
    }

    void start() {
        Thread.ofVirtual().name("runnel-executor-" + processor.name()).start(this::run);
    }

    /** Asks the executor to stop; {@link #awaitFinished} waits for it to drain and leave. */
    void stop() {
        stopSignal.countDown();
        signals.offer(Wake.INSTANCE);
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
        return new TreeSet<>(owned.keySet());
    }

    Set<Integer> assignedPartitions() {
        return assigned;
    }

    Set<Integer> stuckPartitions() {
        return Set.copyOf(stuck.keySet());
    }

    Set<Integer> poisonedPartitions() {
        return Set.copyOf(poisoned);
    }

    String processorName() {
        return processor.name();
    }

    // ----------------------------------------------------------------- lifecycle

    private void run() {
        MDC.setContextMap(mdc);
        processor.metrics().addOwner(ownedView, stuckView);
        try {
            String controlFrom = transport.lastId(processor.controlKey());
            if (staticMember) {
                staticIdentity.claim(this::pause);
            } else {
                beat();
            }
            joined = true;
            membership.join(id);
            log.info("executor joined processor {} of stream {}", processor.name(), processor.stream().name());
            if (!processor.joinDelay().isZero() && stopSignal.await(processor.joinDelay().toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            acker.start();
            fetcher.start();
            helpers.add(Thread.ofVirtual().name("runnel-heartbeat-" + processor.name()).start(this::heartbeatLoop));
            helpers.add(Thread.ofVirtual().name("runnel-maintenance-" + processor.name()).start(this::maintenanceLoop));
            helpers.add(Thread.ofVirtual().name("runnel-retention-" + processor.name()).start(this::retentionLoop));
            helpers.add(Thread.ofVirtual().name("runnel-control-" + processor.name()).start(() -> controlLoop(controlFrom)));
            coordinate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            if (!stopping()) {
                log.error("executor of processor {} failed", processor.name(), t);
                worker.fail(t);
            }
        } finally {
            shutdown();
            processor.metrics().removeOwner(ownedView, stuckView);
            finished.countDown();
            MDC.clear();
        }
    }

    private void shutdown() {
        if (abandoned) {
            heartbeatStop.countDown();
            fetcher.stop();
            acker.discard();
            owned.values().forEach(o -> {
                o.buffer().close();
                o.thread().interrupt();
            });
            log.warn("executor abandoned without releasing partitions {}", ownedPartitions());
            return;
        }
        try {
            release(new TreeSet<>(owned.keySet()));
        } catch (RuntimeException e) {
            log.error("could not release partitions cleanly; their locks expire after {}", processor.lockExpiry(), e);
        }
        heartbeatStop.countDown();
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
        try {
            acker.flush();
            if (staticMember) {
                // Stays a member: its partitions wait for it (released, so nothing is locked)
                // until the reservation runs out, and a restart is not kept waiting by the heartbeat.
                staticIdentity.reserve();
                transport.delete(List.of(processor.heartbeatKey(id)));
                log.info("executor stopped; member {} keeps its partitions reserved for {}", id, processor.sessionTimeout());
                return;
            }
            membership.leave(id);
            transport.delete(List.of(processor.heartbeatKey(id)));
            log.info("executor left processor {}", processor.name());
        } catch (RuntimeException e) {
            log.error("could not announce departure; other executors will find this one dead after {}",
                    processor.lockExpiry(), e);
        }
    }

    private boolean stopping() {
        return stopSignal.getCount() == 0;
    }

    /** Sleeps until the timeout or a stop; true if stopping. */
    private boolean pause(Duration d) throws InterruptedException {
        return stopSignal.await(d.toNanos(), TimeUnit.NANOSECONDS);
    }

    // ----------------------------------------------------------- coordination

    /**
     * The coordinator: checks the membership and applies it, then waits for a signal, the
     * next periodic check ({@code assignment_sleep}, or the outage backoff), or the
     * earliest lease deadline, whichever comes first.
     */
    private void coordinate() throws InterruptedException {
        long nextCheck = System.nanoTime();
        while (!stopping()) {
            if (System.nanoTime() - nextCheck >= 0) {
                Duration wait = processor.assignmentSleep();
                try {
                    maybeRebalance();
                    coordinationOutage.succeeded();
                } catch (TransportException e) {
                    wait = coordinationOutage.failed(e);
                }
                nextCheck = System.nanoTime() + wait.toNanos();
            }
            long timeout = Math.max(0, Math.min(nextCheck - System.nanoTime(),
                    Math.min(earliestLeaseDeadline(), nextProcessingTimeCheck())));
            Signal first = signals.poll(timeout, TimeUnit.NANOSECONDS);
            List<Signal> received = new ArrayList<>();
            if (first != null) {
                received.add(first);
                signals.drainTo(received);
            }
            for (Signal signal : received) {
                switch (signal) {
                    case Wake w -> nextCheck = System.nanoTime();
                    case LeaseLost lost -> {
                        if (lose(lost.lease(), lost.why())) {
                            nextCheck = System.nanoTime(); // take it back if it is still ours to have
                        }
                    }
                    case Quarantined q -> poison(q.lease(), q.error());
                }
            }
            for (Owned o : List.copyOf(owned.values())) {
                if (!o.lease().valid() && lose(o.lease(), "its lease ran out before the heartbeat could renew it")) {
                    nextCheck = System.nanoTime();
                }
            }
            if (checkProcessingTimes()) {
                nextCheck = System.nanoTime();
            }
        }
    }

    // ------------------------------------------------------ processing time

    /** Nanoseconds until a delivery may outlive max_processing_time or a stuck one is given up (long max if none). */
    private long nextProcessingTimeCheck() {
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (Owned o : owned.values()) {
            Stuck s = stuck.get(o.lease().partition);
            PartitionConsumer.Holding held = o.consumer().holding();
            if (s != null) {
                next = Math.min(next, s.giveUpAt() - now);
            } else if (held != null) {
                next = Math.min(next, held.since() + processor.maxProcessingTime().toNanos() - now);
            }
        }
        return next;
    }

    /**
     * Times out deliveries that outlived max_processing_time (interrupting their threads),
     * forgets those whose thread came back, and gives up partitions whose thread ignored the
     * interrupt for a grace period.
     *
     * @return whether a partition was given up, so the membership should be checked again
     */
    private boolean checkProcessingTimes() {
        boolean gaveUp = false;
        long now = System.nanoTime();
        for (Owned o : List.copyOf(owned.values())) {
            int partition = o.lease().partition;
            Stuck s = stuck.get(partition);
            if (s != null) {
                if (!o.consumer().isTimedOut()) {
                    // Its thread came back and the exception policy has handled the timeout.
                    stuck.remove(partition);
                    marks.clearStuck(List.of(partition));
                } else if (now - s.giveUpAt() >= 0) {
                    gaveUp |= giveUp(o, s.timeout());
                }
                continue;
            }
            PartitionConsumer.Holding held = o.consumer().holding();
            if (held == null || now - held.since() < processor.maxProcessingTime().toNanos()) {
                continue;
            }
            List<String> ids = held.delivery().events().stream().map(Event::id).toList();
            ProcessingTimeout timeout = new ProcessingTimeout(processor.name(), partition, ids, processor.maxProcessingTime());
            StackTraceElement[] where = o.thread().getStackTrace();
            if (o.consumer().timeOut(held, timeout, o.thread())) {
                stuck.put(partition, new Stuck(timeout, now + processor.gracePeriod().toNanos()));
                log.error("partition {} of processor {} is stuck: events {} have been with the processor function for "
                        + "more than max_processing_time ({}); interrupting its thread, the delivery fails with "
                        + "ProcessingTimeout. The thread was at:{}", partition, processor.name(), ids,
                        processor.maxProcessingTime(), stackTrace(where));
                marks.stuck(o.lease(), Instant.now().minusNanos(now - held.since()), ids);
            }
        }
        return gaveUp;
    }

    /**
     * The thread of a timed-out delivery ignored its interrupt for a grace period: its lease
     * is voided (it can neither take another event nor acknowledge if it ever returns) and
     * the exception policy decides what becomes of the partition: HALT gives it up and stops
     * the worker; QUARANTINE keeps its lock under a new lease and marks it poisoned; IGNORE
     * acknowledges the delivery and gives the partition up, to be taken again by whoever it
     * is assigned to (with a new thread, if it is this executor).
     *
     * @return whether the partition was given up
     */
    private boolean giveUp(Owned o, ProcessingTimeout timeout) {
        int partition = o.lease().partition;
        stuck.remove(partition);
        marks.clearStuck(List.of(partition));
        log.error("the thread of partition {} of processor {} ignored its interrupt for grace_period ({}); giving it up "
                + "under policy {}", partition, processor.name(), processor.gracePeriod(), processor.exceptionPolicy());
        switch (processor.exceptionPolicy()) {
            case HALT -> {
                marks.halted(o.lease(), timeout.eventIds(), timeout);
                lose(o.lease(), "its processor function is stuck (ProcessingTimeout, policy HALT)");
                worker.fail(timeout);
                return true;
            }
            case QUARANTINE -> {
                Lease kept = o.lease().successor();
                o.lease().voidNow();
                o.buffer().close();
                owned.put(partition, new Owned(kept, o.buffer(), o.consumer(), o.thread()));
                poison(kept, timeout);
                return false;
            }
            case IGNORE -> {
                acker.add(o.lease(), timeout.eventIds());
                try {
                    acker.flush();
                } catch (TransportException e) {
                    log.warn("could not acknowledge the stuck events {}; they will be delivered again", timeout.eventIds(), e);
                }
                return lose(o.lease(), "its processor function is stuck (ProcessingTimeout, policy IGNORE)");
            }
            case PARK -> {
                // The consumer's thread is not coming back: park its delivery from here, once, and
                // let the partition go; its next owner reads the parked keys afresh.
                PartitionConsumer.Holding held = o.consumer().holding();
                if (held != null && !held.delivery().events().isEmpty()) {
                    Parking parking = new Parking(processor, o.lease());
                    parking.parkFailed(held.delivery().events(), timeout, pause -> true);
                    parking.close();
                }
                return lose(o.lease(), "its processor function is stuck (ProcessingTimeout, policy PARK)");
            }
        }
        return false;
    }

    private static String stackTrace(StackTraceElement[] frames) {
        StringBuilder b = new StringBuilder();
        for (StackTraceElement f : frames) {
            b.append(System.lineSeparator()).append("\tat ").append(f);
        }
        return b.toString();
    }

    /** Nanoseconds to the earliest deadline of an owned lease (long max if none). */
    private long earliestLeaseDeadline() {
        long earliest = Long.MAX_VALUE;
        for (Owned o : owned.values()) {
            earliest = Math.min(earliest, o.lease().remainingNanos());
        }
        return earliest;
    }

    /**
     * Gives a partition up at once because its lease ended without a release: no more
     * events are handed out or acknowledged under it, its buffered events are dropped (they
     * stay pending in the server for the next owner), listeners hear {@code lost}.
     *
     * @return whether the lease was the one owned (a stale report changes nothing)
     */
    private boolean lose(Lease lease, String why) {
        Owned o = owned.get(lease.partition);
        if (o == null || o.lease() != lease) {
            return false;
        }
        lease.voidNow();
        o.buffer().expire();
        owned.remove(lease.partition);
        poisoned.remove(lease.partition);
        if (stuck.remove(lease.partition) != null) {
            marks.clearStuck(List.of(lease.partition));
        }
        log.error("lost partition {} of processor {}: {}; it stops at once, and its unacknowledged events go to its "
                + "next owner", lease.partition, processor.name(), why);
        processor.metrics().partitionsLost(1);
        tellListeners("lost partitions {}", Set.of(lease.partition), RebalanceListener::onPartitionsLost);
        try {
            // Still ours only within the lease margin: let the next owner in now.
            locks.release(List.of(lease));
        } catch (TransportException e) {
            log.debug("could not delete the lock of lost partition {}; it expires by itself", lease.partition, e);
        }
        return true;
    }

    private void poison(Lease lease, Throwable error) {
        Owned o = owned.get(lease.partition);
        if (o == null || o.lease() != lease) {
            return;
        }
        poisoned.add(lease.partition);
        marks.poisoned(lease, error);
    }

    private void maybeRebalance() {
        Map<String, Membership.Member> members = membership.read();
        Membership.Member me = members.get(id);
        if (me == null) {
            // Only possible if our heartbeat expired (e.g. a long pause) and we were reaped.
            log.warn("executor was removed from the members (its heartbeat expired); joining again");
            beat();
            membership.join(id);
            return;
        }
        Set<Integer> target = new TreeSet<>(me.partitions());
        assigned = Set.copyOf(target);
        Reassignment change = Reassignment.between(owned.keySet(), target);
        if (target.isEmpty()) {
            if (!warnedIdle) {
                log.warn("processor {} has more executors ({}) than partitions ({}): this one stays idle until one leaves",
                        processor.name(), members.size(), processor.stream().partitionCount());
                warnedIdle = true;
            }
        } else {
            warnedIdle = false;
        }
        if (change.isEmpty()) {
            return;
        }
        log.info("rebalancing processor {}: assigned {}, owned {}", processor.name(), target, ownedPartitions());
        try (var timing = processor.metrics().rebalance()) {
            if (!change.toRelease().isEmpty()) {
                release(change.toRelease());
            }
            if (!change.toAcquire().isEmpty()) {
                acquireOrRetry(change.toAcquire());
            }
        }
    }

    private void acquireOrRetry(Set<Integer> partitions) {
        Set<Integer> failed = acquire(partitions);
        if (failed.isEmpty()) {
            failedAttempts = 0;
            log.info("rebalance of processor {} complete: owns {}", processor.name(), ownedPartitions());
        } else if (++failedAttempts >= processor.assignmentAttempts()) {
            throw new RebalanceFailed("processor " + processor.name() + ": could not acquire partitions " + failed
                    + " after " + failedAttempts + " attempts (assignment_attempts); their previous owner does not let go");
        } else {
            log.info("partitions {} are still locked by their previous owner; retry {} of {} in {}",
                    failed, failedAttempts, processor.assignmentAttempts(), processor.assignmentSleep());
        }
    }

    /** @return the partitions whose lock is held by someone else */
    private Set<Integer> acquire(Set<Integer> partitions) {
        Map<Integer, Lease> acquired = locks.acquire(partitions);
        Set<Integer> failed = new TreeSet<>(partitions);
        failed.removeAll(acquired.keySet());
        if (!acquired.isEmpty()) {
            marks.clearAll(acquired.keySet()); // a previous owner's marks: this owner retries the partitions
            try {
                for (RebalanceListener l : processor.rebalanceListeners()) {
                    l.onPartitionsAssigned(processor.name(), sortedView(acquired.keySet()));
                }
            } catch (RuntimeException e) {
                // The partitions can't be made ready: give their locks back and stop the worker.
                locks.release(acquired.values());
                acquired.values().forEach(Lease::voidNow);
                throw new RunnelException("rebalance listener of processor " + processor.name()
                        + " failed for assigned partitions " + acquired.keySet(), e);
            }
            acquired.values().forEach(this::startPartition);
        }
        return failed;
    }

    private <T> void startPartition(Lease lease) {
        @SuppressWarnings("unchecked")
        Processor<T> p = (Processor<T>) processor;
        PartitionBuffer buffer = new PartitionBuffer(p.stream().name(), lease, p.prefetchCount(), fetcher::schedule);
        PartitionConsumer<T> consumer = new PartitionConsumer<>(p, buffer, acker, this, mdc);
        Thread thread = Thread.ofVirtual().name("runnel-" + p.name() + "-" + lease.partition).start(consumer);
        owned.put(lease.partition, new Owned(lease, buffer, consumer, thread));
        buffer.scheduleIfRoom();
    }

    /**
     * Lets partitions go: each finishes its current iteration within the grace period,
     * in-flight reads complete, acks are flushed, and only then are the locks deleted
     * (if still ours). The heartbeat keeps extending them meanwhile.
     */
    private void release(Set<Integer> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        List<Owned> leaving = new ArrayList<>();
        for (int p : partitions) {
            Owned o = owned.get(p);
            if (o != null) {
                o.buffer().close();
                leaving.add(o);
            }
        }
        long deadline = System.nanoTime() + processor.gracePeriod().toNanos();
        try {
            for (Owned o : leaving) {
                Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
                if (!o.consumer().awaitExit(left)) {
                    log.error("partition {} did not finish its iteration within grace_period {}; interrupting it, "
                            + "its current events will be delivered again", o.buffer().partition, processor.gracePeriod());
                    o.thread().interrupt();
                    o.consumer().awaitExit(Duration.ofSeconds(1));
                }
            }
            for (Owned o : leaving) {
                o.buffer().awaitFetchIdle(processor.readTimeout().plusSeconds(1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            acker.flush();
        } catch (TransportException e) {
            log.error("could not flush acks before releasing partitions {}; those events will be delivered again",
                    partitions, e);
        }
        Set<Integer> released = new TreeSet<>();
        leaving.forEach(o -> released.add(o.lease().partition));
        tellListeners("revoked partitions {}; releasing them anyway", released, RebalanceListener::onPartitionsRevoked);
        marks.clearPoisoned(released.stream().filter(poisoned::contains).toList()); // while the lock is still ours
        marks.clearStuck(released.stream().filter(stuck::containsKey).toList());
        List<Lease> leases = leaving.stream().map(Owned::lease).toList();
        handOverPending(leases);
        leases.forEach(Lease::voidNow);
        for (Owned o : leaving) {
            owned.remove(o.lease().partition, o);
            poisoned.remove(o.lease().partition);
            stuck.remove(o.lease().partition);
        }
        locks.release(leases);
        log.info("released partitions {} of processor {}", released, processor.name());
    }

    /**
     * What the released partitions' consumers never processed goes back to the group's
     * shared consumer, where any successor finds it, Python runnel's included (a Java
     * successor would claim it anyway).
     */
    private void handOverPending(List<Lease> leases) {
        try {
            transport.handOverPending(processor.group(), Processor.CONSUMER,
                    leases.stream().map(l -> new FencedRead(l.fence, l.streamKey, PartitionBuffer.NEW_ENTRIES)).toList());
        } catch (TransportException e) {
            log.warn("could not hand the unprocessed entries of released partitions back; their next owner claims them", e);
        }
    }

    // ------------------------------------------------------- background loops

    private void beat() {
        transport.renew(processor.heartbeatKey(id), staticMember ? instance : "beat", processor.lockExpiry());
        if (staticMember) {
            staticIdentity.reserve();
        }
    }

    /** Refreshes the heartbeat and the partition locks every lock_expiry / 4, until the last release. */
    private void heartbeatLoop() {
        MDC.setContextMap(mdc);
        Outage outage = new Outage(log, "heartbeat", processor.metrics().redisOom());
        try {
            while (!heartbeatStop.await(processor.lockExpiry().dividedBy(4).toNanos(), TimeUnit.NANOSECONDS)) {
                // The heartbeat key and the locks may live on different masters of a cluster:
                // one of them down must not keep the other from being renewed.
                TransportException failed = null;
                try {
                    beat();
                } catch (TransportException e) {
                    failed = e;
                }
                try {
                    PartitionLocks.Extension extension = locks.extend(owned.values().stream().map(Owned::lease).toList());
                    for (Lease lost : extension.lost()) {
                        signals.offer(new LeaseLost(lost, "its lock expired or was taken over (found by the heartbeat)"));
                    }
                    failed = extension.unanswered().orElse(failed);
                } catch (TransportException e) {
                    failed = e;
                }
                if (failed == null) {
                    outage.succeeded();
                } else {
                    outage.failed(failed);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The one place dead members are reaped: at a random interval, so executors seldom contend for the admin lock. */
    private void maintenanceLoop() {
        MDC.setContextMap(mdc);
        long half = Math.max(1, processor.lockExpiry().toMillis() / 2);
        long floor = Math.min(1000, Math.max(1, processor.lockExpiry().toMillis() / 4));
        try {
            while (!pause(Duration.ofMillis(floor + ThreadLocalRandom.current().nextLong(half)))) {
                try {
                    if (!membership.reap().isEmpty()) {
                        signals.offer(Wake.INSTANCE);
                    }
                } catch (RuntimeException e) {
                    log.debug("reaping dead executors failed; will retry", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Trims the owned partitions every retention interval (see {@link Retainer}). */
    private void retentionLoop() {
        MDC.setContextMap(mdc);
        Retainer retainer = new Retainer(processor, transport, acker::ackedSinceAsked);
        try {
            while (!pause(processor.stream().retention().interval())) {
                retainer.trim(new TreeSet<>(owned.keySet()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void controlLoop(String from) {
        MDC.setContextMap(mdc);
        Outage outage = new Outage(log, "reading control stream");
        String last = from;
        Duration block = processor.readTimeout().compareTo(Duration.ofSeconds(1)) < 0 ? processor.readTimeout() : Duration.ofSeconds(1);
        while (!stopping()) {
            try {
                List<StreamEntry> messages = transport.read(processor.controlKey(), last, 16, block);
                outage.succeeded();
                for (StreamEntry m : messages) {
                    last = m.id();
                    byte[] reason = m.fields().get("reason");
                    log.debug("control message {}: {}", m.id(), reason == null ? null : new String(reason, StandardCharsets.UTF_8));
                    signals.offer(Wake.INSTANCE);
                }
            } catch (TransportException e) {
                if (stopping()) {
                    return;
                }
                try {
                    if (pause(outage.failed(e))) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** A listener call whose failure is logged (with {@code what}) and does not stop the others. */
    private void tellListeners(String what, Set<Integer> partitions, ListenerCall call) {
        for (RebalanceListener l : processor.rebalanceListeners()) {
            try {
                call.tell(l, processor.name(), sortedView(partitions));
            } catch (RuntimeException e) {
                log.error("rebalance listener failed for " + what, partitions, e);
            }
        }
    }

    /** One of the {@link RebalanceListener} callbacks. */
    @FunctionalInterface
    private interface ListenerCall {
        void tell(RebalanceListener listener, String processor, Set<Integer> partitions);
    }

    /** What rebalance listeners get: read-only, iterating in partition order. */
    private static Set<Integer> sortedView(Set<Integer> partitions) {
        return Collections.unmodifiableSet(new TreeSet<>(partitions));
    }

    // --------------------------------------------------- consumer callbacks

    @Override
    public void halt(Lease lease, List<String> eventIds, Throwable error) {
        marks.halted(lease, eventIds, error);
        worker.fail(error);
    }

    @Override
    public void flowing(Lease lease) {
        // On the consumer's thread, so that a halt of this consumer's own, later, is marked
        // after this: a halt mark outlives its writer, and the partition is past it now. Only
        // while the lease holds: a late consumer must not delete its successor's mark.
        if (lease.valid()) {
            marks.clearHalted(lease.partition);
        }
    }

    @Override
    public void quarantine(Lease lease, Throwable error) {
        // Keep the lock (nobody else should process it either), stop reading it at once.
        Owned o = owned.get(lease.partition);
        if (o != null && o.lease() == lease) {
            o.buffer().close();
        }
        signals.offer(new Quarantined(lease, error));
    }

    @Override
    public void leaseLost(Lease lease, String why) {
        signals.offer(new LeaseLost(lease, why));
    }
}
