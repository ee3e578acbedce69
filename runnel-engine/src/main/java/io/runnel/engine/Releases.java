// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Partitions being given back, without blocking the coordinator: a release closes their
 * buffers and returns; the coordinator calls {@link #progress} whenever a consumer exits, a
 * read ends, or a deadline passes, and a batch of partitions released together ends together
 * once each has drained.
 *
 * <p>A partition has drained when its consumer's thread has exited (it finishes its current
 * iteration within {@code grace_period}, and is interrupted then; after one more second it is
 * left behind, its lease voided) and no read for it is in flight (waited for up to
 * {@code read_timeout} + 1 s more). The heartbeat keeps the locks meanwhile.
 */
final class Releases {
    private static final Logger log = LoggerFactory.getLogger(Releases.class);
    private static final long AFTER_INTERRUPT = Duration.ofSeconds(1).toNanos();

    /** Partitions released together, and when each step of their drain is due. */
    private static final class Batch {
        final List<Ownership.Entry> entries;
        final Set<Integer> quarantined = new TreeSet<>();
        final Set<Integer> stuck = new TreeSet<>();
        final Set<Integer> interrupted = new HashSet<>();
        final long graceDeadline;
        final long exitDeadline;
        final long readDeadline;
        /** The rebalance this release is part of, timed until it ends; null for a stop. */
        final Timer.Context timing;

        Batch(List<Ownership.Entry> entries, long now, Processor<?> processor, Timer.Context timing) {
            this.entries = entries;
            this.timing = timing;
            this.graceDeadline = now + processor.gracePeriod().toNanos();
            this.exitDeadline = graceDeadline + AFTER_INTERRUPT;
            this.readDeadline = exitDeadline + processor.readTimeout().toNanos() + AFTER_INTERRUPT;
        }
    }

    private final Processor<?> processor;
    private final Ownership ownership;
    private final Departures departures;
    private final List<Batch> batches = new ArrayList<>();

    Releases(Processor<?> processor, Ownership ownership, Departures departures) {
        this.processor = processor;
        this.ownership = ownership;
        this.departures = departures;
    }

    /**
     * Starts releasing these entries: RELEASING, nothing more handed out or read.
     *
     * @param timing the rebalance's timer, stopped when the release ends (null: none)
     */
    void start(Collection<Ownership.Entry> entries, long now, Timer.Context timing) {
        if (entries.isEmpty()) {
            return;
        }
        Batch batch = new Batch(List.copyOf(entries), now, processor, timing);
        for (Ownership.Entry e : entries) {
            switch (e.state()) {
                case QUARANTINED -> batch.quarantined.add(e.partition);
                case STUCK -> batch.stuck.add(e.partition);
                default -> { }
            }
            ownership.releasing(e);
            if (e.running() != null) {
                e.running().close();
            }
        }
        batches.add(batch);
    }

    /**
     * Ends the batches whose partitions have all drained (or whose deadlines passed), and
     * interrupts consumers past the grace period.
     *
     * @return whether a batch ended, so the membership should be checked again
     */
    boolean progress(long now) {
        boolean ended = false;
        for (Iterator<Batch> it = batches.iterator(); it.hasNext(); ) {
            Batch batch = it.next();
            List<Ownership.Entry> live = new ArrayList<>();
            boolean drained = true;
            for (Ownership.Entry e : batch.entries) {
                if (ownership.holding(e.lease()) == e) { // not lost meanwhile
                    live.add(e);
                    drained &= drained(e, batch, now);
                }
            }
            if (drained) {
                it.remove();
                try {
                    departures.release(live, batch.quarantined, batch.stuck);
                } finally {
                    if (batch.timing != null) {
                        batch.timing.stop();
                    }
                }
                ended = true;
            }
        }
        return ended;
    }

    /** The earliest ticker reading at which a drain step is due, or {@link Long#MAX_VALUE}. */
    long nextDeadline(long now) {
        long next = Long.MAX_VALUE;
        for (Batch b : batches) {
            for (long at : new long[] {b.graceDeadline, b.exitDeadline, b.readDeadline}) {
                if (at - now > 0 && at - next < 0) {
                    next = at;
                }
            }
        }
        return next;
    }

    /** Whether no release is under way. */
    boolean isEmpty() {
        return batches.isEmpty();
    }

    private boolean drained(Ownership.Entry e, Batch batch, long now) {
        RunningPartition r = e.running();
        if (r == null) {
            return true;
        }
        if (!r.exited() && now - batch.exitDeadline < 0) {
            if (now - batch.graceDeadline >= 0 && batch.interrupted.add(e.partition)) {
                log.error("partition {} did not finish its iteration within grace_period {}; interrupting it, "
                        + "its current events will be delivered again", e.partition, processor.gracePeriod());
                r.interrupt();
            }
            return false;
        }
        return !r.reading() || now - batch.readDeadline >= 0;
    }
}
