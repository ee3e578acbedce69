// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How partitions leave this executor, on the coordinator's thread: lost at once (the lease
 * ended without a release), or released at the end of a drain (acks flushed, marks cleared,
 * unprocessed entries handed back, lock deleted).
 */
final class Departures {
    private static final Logger log = LoggerFactory.getLogger(Departures.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final Ownership ownership;
    private final PartitionLocks locks;
    private final PartitionMarks marks;
    private final Acker acker;
    private final Listeners listeners;

    Departures(Processor<?> processor, Transport transport, Ownership ownership, PartitionLocks locks,
               PartitionMarks marks, Acker acker, Listeners listeners) {
        this.processor = processor;
        this.transport = transport;
        this.ownership = ownership;
        this.locks = locks;
        this.marks = marks;
        this.acker = acker;
        this.listeners = listeners;
    }

    /**
     * Gives a partition up at once because its lease ended without a release: no more
     * events are handed out or acknowledged under it, its buffered events are dropped (they
     * stay pending in the server for the next owner), listeners hear {@code lost}.
     */
    void lose(Ownership.Entry e, String why) {
        Lease lease = e.lease();
        lease.voidNow();
        if (e.running() != null) {
            e.running().expire();
        }
        boolean wasStuck = e.state() == PartitionState.STUCK;
        ownership.lost(e);
        if (wasStuck) {
            marks.clearStuck(List.of(e.partition));
        }
        log.error("lost partition {} of processor {}: {}; it stops at once, and its unacknowledged events go to its "
                + "next owner", e.partition, processor.name(), why);
        processor.metrics().partitionsLost(1);
        listeners.lost(Set.of(e.partition));
        try {
            // Still ours only within the lease margin: let the next owner in now.
            locks.release(List.of(lease));
        } catch (TransportException ex) {
            log.debug("could not delete the lock of lost partition {}; it expires by itself", e.partition, ex);
        }
    }

    /**
     * Ends the release of drained partitions: flushes the acks, tells the listeners, clears
     * the marks while the locks are still ours, hands what was never processed back to the
     * group's shared consumer, voids the leases and deletes the locks.
     *
     * @param leaving entries still RELEASING (a lease lost meanwhile took its entry out already)
     * @param wereQuarantined partitions that were poisoned when the release began
     * @param wereStuck partitions that had a stuck delivery when the release began
     */
    void release(List<Ownership.Entry> leaving, Set<Integer> wereQuarantined, Set<Integer> wereStuck) {
        if (leaving.isEmpty()) {
            return;
        }
        Set<Integer> released = new TreeSet<>();
        leaving.forEach(e -> released.add(e.partition));
        try {
            acker.flush();
        } catch (TransportException e) {
            log.error("could not flush acks before releasing partitions {}; those events will be delivered again",
                    released, e);
        }
        listeners.revoked(released);
        List<Lease> leases = leaving.stream().map(Ownership.Entry::lease).toList();
        try {
            marks.clearPoisoned(released.stream().filter(wereQuarantined::contains).toList());
            marks.clearStuck(released.stream().filter(wereStuck::contains).toList());
            handOverPending(leases);
        } finally {
            leases.forEach(Lease::voidNow);
            leaving.forEach(ownership::released);
        }
        try {
            locks.release(leases);
        } catch (TransportException e) {
            log.warn("could not delete the locks of released partitions {}; they expire after {}",
                    released, processor.lockExpiry(), e);
        }
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
}
