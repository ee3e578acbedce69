// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;
import io.runnel.api.ProcessingTimeout;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The processing-time policy, on the coordinator's thread. A delivery that outlives
 * {@code max_processing_time} fails with a {@link ProcessingTimeout}: its thread is
 * interrupted and the partition is STUCK. The resolution takes at most two hops between
 * threads: the interrupt, then the consumer's own report (its exception policy ran, or it
 * quarantined or halted). A thread that ignores the interrupt for {@code grace_period} is
 * given up here, without it.
 */
final class StuckDeliveries {
    private static final Logger log = LoggerFactory.getLogger(StuckDeliveries.class);

    private final Processor<?> processor;
    private final Ownership ownership;
    private final Departures departures;
    private final PartitionMarks marks;
    private final Acker acker;
    private final Consumer<Throwable> failures;

    StuckDeliveries(Processor<?> processor, Ownership ownership, Departures departures, PartitionMarks marks,
                    Acker acker, Consumer<Throwable> failures) {
        this.processor = processor;
        this.ownership = ownership;
        this.departures = departures;
        this.marks = marks;
        this.acker = acker;
        this.failures = failures;
    }

    /** The earliest ticker reading at which a delivery may outlive its time or a stuck one is given up, or {@link Long#MAX_VALUE}. */
    long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (Ownership.Entry e : ownership.entries()) {
            RunningPartition r = e.running();
            Holding held = r == null ? null : r.holding();
            long at = switch (e.state()) {
                case STUCK -> e.giveUpAt();
                case FLOWING -> held == null ? Long.MAX_VALUE : held.since() + processor.maxProcessingTime().toNanos();
                default -> Long.MAX_VALUE;
            };
            next = at != Long.MAX_VALUE && (next == Long.MAX_VALUE || at - next < 0) ? at : next;
        }
        return next;
    }

    /**
     * Times out deliveries that outlived max_processing_time (interrupting their threads),
     * returns to FLOWING the partitions whose thread came back, and gives up those whose
     * thread ignored the interrupt for a grace period.
     *
     * @return whether a partition was given up, so the membership should be checked again
     */
    boolean check(long now) {
        boolean gaveUp = false;
        for (Ownership.Entry e : ownership.entries()) {
            if (e.state() == PartitionState.STUCK) {
                if (!e.running().isTimedOut()) {
                    // Its thread came back and the exception policy has handled the timeout.
                    ownership.unstuck(e);
                    marks.clearStuck(List.of(e.partition));
                } else if (now - e.giveUpAt() >= 0) {
                    gaveUp |= giveUp(e);
                }
            } else if (e.state() == PartitionState.FLOWING) {
                timeOutIfLate(e, now);
            }
        }
        return gaveUp;
    }

    private void timeOutIfLate(Ownership.Entry e, long now) {
        RunningPartition running = e.running();
        Holding held = running.holding();
        if (held == null || now - held.since() < processor.maxProcessingTime().toNanos()) {
            return;
        }
        List<String> ids = held.delivery().events().stream().map(Event::id).toList();
        ProcessingTimeout timeout = new ProcessingTimeout(processor.name(), e.partition, ids, processor.maxProcessingTime());
        StackTraceElement[] where = running.stackTrace(held);
        if (running.timeOut(held, timeout)) {
            ownership.stuck(e, timeout, now + processor.gracePeriod().toNanos());
            log.error("partition {} of processor {} is stuck: events {} have been with the processor function for "
                    + "more than max_processing_time ({}); interrupting its thread, the delivery fails with "
                    + "ProcessingTimeout. The thread was at:{}", e.partition, processor.name(), ids,
                    processor.maxProcessingTime(), stackTrace(where));
            marks.stuck(e.lease(), Instant.now().minusNanos(now - held.since()), ids);
        }
    }

    /**
     * The thread of a timed-out delivery ignored its interrupt for a grace period: the
     * exception policy decides what becomes of the partition. HALT gives it up and stops the
     * worker; QUARANTINE keeps its lock under a new lease (the thread keeps the old one,
     * voided, so it can neither take another event nor acknowledge if it ever returns) and
     * poisons it; IGNORE acknowledges the delivery and PARK parks it, and both give the
     * partition up, to be taken again by whoever it is assigned to.
     *
     * @return whether the partition was given up
     */
    private boolean giveUp(Ownership.Entry e) {
        ProcessingTimeout timeout = e.timeout();
        Lease lease = e.lease();
        log.error("the thread of partition {} of processor {} ignored its interrupt for grace_period ({}); giving it up "
                + "under policy {}", e.partition, processor.name(), processor.gracePeriod(), processor.exceptionPolicy());
        switch (processor.exceptionPolicy()) {
            case HALT -> {
                marks.halted(lease, timeout.eventIds(), timeout);
                departures.lose(e, "its processor function is stuck (ProcessingTimeout, policy HALT)");
                failures.accept(timeout);
                return true;
            }
            case QUARANTINE -> {
                marks.clearStuck(List.of(e.partition)); // losing clears it in the other cases
                Lease kept = lease.successor();
                lease.voidNow();
                e.running().close();
                ownership.quarantinedInPlaceOf(e, kept);
                marks.poisoned(kept, timeout);
                return false;
            }
            case IGNORE -> {
                acker.add(lease, timeout.eventIds());
                try {
                    acker.flush();
                } catch (TransportException ex) {
                    log.warn("could not acknowledge the stuck events {}; they will be delivered again", timeout.eventIds(), ex);
                }
                departures.lose(e, "its processor function is stuck (ProcessingTimeout, policy IGNORE)");
                return true;
            }
            case PARK -> {
                // The consumer's thread is not coming back: park its delivery from here, once, and
                // let the partition go; its next owner reads the parked keys afresh.
                Holding held = e.running().holding();
                if (held != null && !held.delivery().events().isEmpty()) {
                    Parking parking = new Parking(processor, lease);
                    parking.parkFailed(held.delivery().events(), timeout, pause -> true);
                    parking.close();
                }
                departures.lose(e, "its processor function is stuck (ProcessingTimeout, policy PARK)");
                return true;
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
}
