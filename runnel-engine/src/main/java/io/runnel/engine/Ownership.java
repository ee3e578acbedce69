// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingTimeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may process which partition in this executor, and why: one {@link Entry} per partition
 * it holds the lock of, each in one {@link PartitionState} and with exactly one {@link Lease}.
 * A partition this table does not list is not this executor's to process.
 *
 * <p>Confined to the coordinator: only its thread calls the methods that change an entry, and
 * each change is a transition that {@link PartitionState#canFollow} allows (anything else is a
 * bug, and throws). Other threads only read: the heartbeat the leases it renews, status views
 * and gauges the partitions per state.
 */
final class Ownership {
    private static final Logger log = LoggerFactory.getLogger(Ownership.class);

    /** One partition held by this executor. Fields are written by the coordinator only. */
    static final class Entry {
        final int partition;
        private volatile PartitionState state = PartitionState.ACQUIRING;
        private volatile Lease lease;
        /** Its consumer, once started; null again when a stuck thread is given up under QUARANTINE. */
        private volatile RunningPartition running;
        /** While STUCK: the delivery's failure, and when its thread is given up. */
        private ProcessingTimeout timeout;
        private long giveUpAt;

        private Entry(Lease lease) {
            this.partition = lease.partition;
            this.lease = lease;
        }

        PartitionState state() {
            return state;
        }

        Lease lease() {
            return lease;
        }

        /** The partition's consumer, or null if none runs for this entry (not yet started, or detached). */
        RunningPartition running() {
            return running;
        }

        /** While STUCK: what the delivery fails with. */
        ProcessingTimeout timeout() {
            return timeout;
        }

        /** While STUCK: the ticker reading at which the thread is given up. */
        long giveUpAt() {
            return giveUpAt;
        }

        @Override
        public String toString() {
            return "partition " + partition + " " + state + " under " + lease;
        }
    }

    private final String processor;
    private final Map<Integer, Entry> entries = new ConcurrentHashMap<>();

    Ownership(String processor) {
        this.processor = processor;
    }

    // ------------------------------------------------------------------ reading (any thread)

    /** The entry of a partition, or null if this executor does not hold it. */
    Entry get(int partition) {
        return entries.get(partition);
    }

    /** The entry that holds exactly this lease, or null: a report about an older lease changes nothing. */
    Entry holding(Lease lease) {
        Entry e = entries.get(lease.partition);
        return e != null && e.lease == lease ? e : null;
    }

    /** Every entry, in no particular order. */
    Collection<Entry> entries() {
        return List.copyOf(entries.values());
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The partitions held, whatever their state (their locks are this executor's). */
    Set<Integer> partitions() {
        return new TreeSet<>(entries.keySet());
    }

    /** The partitions in one state. */
    Set<Integer> partitionsIn(PartitionState state) {
        Set<Integer> in = new TreeSet<>();
        entries.values().forEach(e -> {
            if (e.state == state) {
                in.add(e.partition);
            }
        });
        return in;
    }

    /** The consumers running now, by partition; safe to read from any thread. */
    Map<Integer, RunningPartition> running() {
        Map<Integer, RunningPartition> running = new TreeMap<>();
        entries.values().forEach(e -> {
            RunningPartition r = e.running;
            if (r != null) {
                running.put(e.partition, r);
            }
        });
        return running;
    }

    /** The leases of every entry: what the heartbeat renews. */
    List<Lease> leases() {
        return entries.values().stream().map(e -> e.lease).toList();
    }

    // ------------------------------------------------------------ transitions (coordinator only)

    /** The lock of a partition was taken: a new entry, ACQUIRING. */
    Entry acquiring(Lease lease) {
        Entry e = new Entry(lease);
        Entry before = entries.putIfAbsent(lease.partition, e);
        if (before != null) {
            throw new IllegalStateException("processor " + processor + ": acquired " + lease + " while holding " + before);
        }
        log.debug("{}", e);
        return e;
    }

    /** Its consumer started. */
    void flowing(Entry e, RunningPartition running) {
        move(e, PartitionState.FLOWING);
        e.running = running;
    }

    /** A stuck delivery's thread came back. */
    void unstuck(Entry e) {
        move(e, PartitionState.FLOWING);
        e.timeout = null;
    }

    /** A delivery outlived max_processing_time and its thread was interrupted. */
    void stuck(Entry e, ProcessingTimeout timeout, long giveUpAt) {
        move(e, PartitionState.STUCK);
        e.timeout = timeout;
        e.giveUpAt = giveUpAt;
    }

    /** Poisoned by the exception policy (or an unreadable key), keeping its lease. */
    void quarantined(Entry e) {
        move(e, PartitionState.QUARANTINED);
        e.timeout = null;
    }

    /**
     * Poisoned after its stuck thread was given up: the entry's one lease is now
     * {@code successor}, and the thread (which holds the old, voided lease) is no longer
     * the entry's.
     */
    void quarantinedInPlaceOf(Entry e, Lease successor) {
        move(e, PartitionState.QUARANTINED);
        e.lease = successor;
        e.running = null;
        e.timeout = null;
    }

    void releasing(Entry e) {
        move(e, PartitionState.RELEASING);
    }

    /** Released (or given back before its consumer started): the entry leaves the table. */
    void released(Entry e) {
        move(e, PartitionState.RELEASED);
        entries.remove(e.partition, e);
    }

    /** Lost: the entry leaves the table. */
    void lost(Entry e) {
        move(e, PartitionState.LOST);
        entries.remove(e.partition, e);
    }

    private void move(Entry e, PartitionState to) {
        PartitionState from = e.state;
        if (!to.canFollow(from) || entries.get(e.partition) != e) {
            throw new IllegalStateException("processor " + processor + ": partition " + e.partition
                    + " cannot move from " + from + " to " + to + (entries.get(e.partition) != e ? " (not held)" : ""));
        }
        e.state = to;
        log.debug("partition {} of processor {}: {} -> {}", e.partition, processor, from, to);
    }
}
