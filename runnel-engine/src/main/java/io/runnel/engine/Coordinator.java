// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Timer;
import io.runnel.api.Misconfigured;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one thread that decides what an executor owns. Each {@link #step} reads the signals
 * other threads posted, checks the membership when due and applies it (acquiring what was
 * assigned, starting the release of what was not), gives up partitions whose lease ran out,
 * applies the processing-time policy and moves releases along. It never waits for another
 * thread: waits are deadlines, and {@link #run} sleeps until the earliest one or a signal.
 * Every change to {@link Ownership} happens here.
 */
final class Coordinator implements CoordinatorInbox {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    /** What other threads tell the coordinator. */
    private sealed interface Signal {
    }

    /** Check the membership now (a control message, a reaped member, a stop). */
    private record Wake() implements Signal {
    }

    /** A consumer exited or a read ended: a release may have drained. */
    private record Settled() implements Signal {
    }

    private record LeaseLost(Lease lease, String why) implements Signal {
    }

    private record Quarantined(Lease lease, Throwable error) implements Signal {
    }

    private record HaltAsked(Lease lease, List<String> eventIds, Throwable error) implements Signal {
    }

    private record RepairGroups(List<String> keys) implements Signal {
    }

    private final String id;
    private final Processor<?> processor;
    private final Membership membership;
    private final PartitionMarks marks;
    private final Ownership ownership;
    private final Acquisitions acquisitions;
    private final Departures departures;
    private final Releases releases;
    private final StuckDeliveries stuck;
    private final Runnable rejoin;
    private final Consumer<Throwable> failures;
    private final Ticker ticker;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    private final Outage outage;
    private volatile Set<Integer> assigned = Set.of();
    private long nextCheck;
    private boolean warnedIdle;
    /** Set once a Python runnel worker was found holding a partition of this exactly_once processor. */
    private boolean refusedPython;

    /**
     * @param starter starts the consumer of an acquired partition
     * @param rejoin  beats and joins again, after this member was reaped
     * @param failures where a failure that stops the worker goes (HALT, a failed rebalance listener)
     */
    Coordinator(String id, Processor<?> processor, Ownership ownership, Membership membership, PartitionLocks locks,
                PartitionMarks marks, Departures departures, Acker acker, Function<Lease, RunningPartition> starter,
                Runnable rejoin, Consumer<Throwable> failures) {
        this.id = id;
        this.processor = processor;
        this.membership = membership;
        this.marks = marks;
        this.ownership = ownership;
        this.acquisitions = new Acquisitions(processor, ownership, locks, marks, new Listeners(processor), starter);
        this.departures = departures;
        this.releases = new Releases(processor, ownership, departures);
        this.stuck = new StuckDeliveries(processor, ownership, departures, marks, acker, failures);
        this.rejoin = rejoin;
        this.failures = failures;
        this.ticker = processor.ticker();
        this.nextCheck = ticker.nanos();
        this.outage = new Outage(log, "coordinating partitions", processor.metrics().redisOom());
    }

    /** The partitions the membership last assigned to this executor. */
    Set<Integer> assigned() {
        return assigned;
    }

    // -------------------------------------------------------------- the loop

    /** Steps until {@code stopping} holds, sleeping between steps until a signal or the next deadline. */
    void run(BooleanSupplier stopping) throws InterruptedException {
        while (!stopping.getAsBoolean()) {
            await(step(true));
        }
    }

    /** Releases everything held and steps, without acquiring, until it is all gone. */
    void drain() throws InterruptedException {
        releases.start(ownership.entries().stream().filter(e -> e.state() != PartitionState.RELEASING).toList(),
                ticker.nanos(), null);
        for (long next = step(false); !ownership.isEmpty(); next = step(false)) {
            await(next);
        }
    }

    /**
     * Does what is due now: the posted signals, the membership check (when {@code acquiring}
     * and due), expired leases, processing times, releases.
     *
     * @return the ticker reading at which the next step is due, unless a signal comes first
     */
    long step(boolean acquiring) {
        List<Signal> received = new ArrayList<>();
        signals.drainTo(received);
        for (Signal signal : received) {
            handle(signal);
        }
        long now = ticker.nanos();
        if (acquiring && now - nextCheck >= 0) {
            Duration wait = processor.assignmentSleep();
            try {
                checkMembership(now);
                outage.succeeded();
            } catch (TransportException e) {
                wait = outage.failed(e);
            }
            nextCheck = now + wait.toNanos();
        }
        now = ticker.nanos();
        for (Ownership.Entry e : ownership.entries()) {
            if (!e.lease().valid()) {
                departures.lose(e, "its lease ran out before the heartbeat could renew it");
                checkSoon(now);
            }
        }
        if (stuck.check(now) | releases.progress(now)) {
            checkSoon(now);
        }
        long next = Math.min(acquiring ? nextCheck : Long.MAX_VALUE, releases.nextDeadline(now));
        next = Math.min(next, stuck.nextDeadline());
        for (Lease lease : ownership.leases()) {
            next = Math.min(next, now + Math.max(0, lease.remainingNanos()));
        }
        return next;
    }

    private void await(long until) throws InterruptedException {
        long wait = until == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(0, until - ticker.nanos());
        Signal first = signals.poll(wait, TimeUnit.NANOSECONDS);
        if (first != null) {
            handle(first);
        }
    }

    private void checkSoon(long now) {
        nextCheck = now;
    }

    private void handle(Signal signal) {
        switch (signal) {
            case Wake w -> checkSoon(ticker.nanos());
            case Settled s -> { } // the step that follows sees the drain
            case LeaseLost lost -> {
                Ownership.Entry e = ownership.holding(lost.lease());
                if (e != null) {
                    departures.lose(e, lost.why());
                    checkSoon(ticker.nanos()); // take it back if it is still ours to have
                }
            }
            case Quarantined q -> poison(q.lease(), q.error());
            case HaltAsked h -> {
                marks.halted(h.lease(), h.eventIds(), h.error());
                failures.accept(h.error());
            }
            case RepairGroups r -> {
                try {
                    membership.createGroups(r.keys());
                    log.warn("consumer group {} was missing on {} (stream key deleted?); created it again from the "
                            + "start of the stream", processor.group(), r.keys());
                } catch (RuntimeException e) {
                    log.warn("could not create consumer group {} again on {}; the next read tries again",
                            processor.group(), r.keys(), e);
                }
            }
        }
    }

    private void poison(Lease lease, Throwable error) {
        Ownership.Entry e = ownership.holding(lease);
        if (e == null || (e.state() != PartitionState.FLOWING && e.state() != PartitionState.STUCK)) {
            return;
        }
        if (e.state() == PartitionState.STUCK) {
            marks.clearStuck(List.of(e.partition));
        }
        ownership.quarantined(e);
        e.running().close(); // keep the lock (nobody else should process it either), stop reading it
        marks.poisoned(lease, error);
    }

    // ------------------------------------------------------------ membership

    private void checkMembership(long now) {
        if (refusePythonWorkers()) {
            return;
        }
        Map<String, Membership.Member> members = membership.read();
        Membership.Member me = members.get(id);
        if (me == null) {
            // Only possible if our heartbeat expired (e.g. a long pause) and we were reaped.
            log.warn("executor was removed from the members (its heartbeat expired); joining again");
            rejoin.run();
            return;
        }
        Set<Integer> target = new TreeSet<>(me.partitions());
        assigned = Set.copyOf(target);
        if (target.isEmpty() && !warnedIdle) {
            log.warn("processor {} has more executors ({}) than partitions ({}): this one stays idle until one leaves",
                    processor.name(), members.size(), processor.stream().partitionCount());
        }
        warnedIdle = target.isEmpty();
        // A partition still draining is neither released again nor taken back until its release ends.
        Reassignment change = Reassignment.between(ownership.partitions(), target);
        List<Ownership.Entry> toRelease = change.toRelease().stream().map(ownership::get)
                .filter(e -> e.state() != PartitionState.RELEASING).toList();
        if (toRelease.isEmpty() && change.toAcquire().isEmpty()) {
            return;
        }
        log.info("rebalancing processor {}: assigned {}, owned {}", processor.name(), target, ownership.partitions());
        // Timed until the release ends too (or the acquisitions, when nothing is released).
        Timer.Context timing = processor.metrics().rebalance();
        releases.start(toRelease, now, toRelease.isEmpty() ? null : timing);
        try {
            if (!change.toAcquire().isEmpty()) {
                acquisitions.acquireOrRetry(change.toAcquire());
            }
        } finally {
            if (toRelease.isEmpty()) {
                timing.stop();
            }
        }
    }

    /**
     * Under exactly_once, stops the worker if a Python runnel worker holds a partition of the
     * processor: it runs its own function there and acknowledges plainly, without staging,
     * commit markers or keyed state, so the guarantee would not hold. Checked with each
     * membership check (one MGET of the processor's locks), for exactly_once processors only.
     *
     * @return true when the worker is being stopped
     */
    private boolean refusePythonWorkers() {
        if (refusedPython || processor.guarantee() != ProcessingGuarantee.EXACTLY_ONCE) {
            return refusedPython;
        }
        int partitions = processor.stream().partitionCount();
        List<String> keys = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            keys.add(processor.lockKey(p));
        }
        List<Optional<String>> holders = processor.stream().host().transport().getAll(keys);
        for (int p = 0; p < partitions; p++) {
            Optional<String> holder = holders.get(p);
            if (holder.isPresent() && PartitionLocks.heldByPython(holder.get())) {
                refusedPython = true;
                failures.accept(new Misconfigured("processor " + processor.name() + " is exactly_once, and a Python "
                        + "runnel worker (executor " + holder.get() + ") holds its partition " + p + ": Python workers do "
                        + "not stage, commit or keep keyed state, so the guarantee cannot hold; stop the Python workers "
                        + "of this processor, or run it at_least_once"));
                return true;
            }
        }
        return false;
    }

    // --------------------------------------------------- the inbox (any thread)

    /** Asks for a membership check now (a control message, a reaped member, a stop). */
    void wake() {
        signals.offer(new Wake());
    }

    @Override
    public void halt(Lease lease, List<String> eventIds, Throwable error) {
        signals.offer(new HaltAsked(lease, eventIds, error));
    }

    @Override
    public void flowing(Lease lease) {
        // Only while the lease holds: a late consumer must not delete its successor's mark.
        if (lease.valid()) {
            marks.clearHalted(lease.partition);
        }
    }

    @Override
    public void quarantine(Lease lease, Throwable error) {
        signals.offer(new Quarantined(lease, error));
    }

    @Override
    public void leaseLost(Lease lease, String why) {
        signals.offer(new LeaseLost(lease, why));
    }

    @Override
    public void settled(Lease lease) {
        signals.offer(new Settled());
    }

    @Override
    public void repairGroups(List<String> keys) {
        signals.offer(new RepairGroups(keys));
    }
}
