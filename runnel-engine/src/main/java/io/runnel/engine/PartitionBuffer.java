// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;
import io.runnel.api.transport.StreamEntry;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The bounded hand-off between the fetcher and the consumer of one owned partition.
 *
 * <p>The fetcher reads for a partition only once its buffer has drained to half of
 * {@code prefetch_count} (the refill mark) and reads at most {@code prefetch_count} at a
 * time, so a buffer never holds more than {@code prefetch_count + prefetch_count / 2}
 * events and a slow partition only ever holds back itself. Waiting for the refill mark,
 * rather than reading again as soon as one event was taken, keeps reads large under load:
 * topping up one event at a time cost a round trip per event or two.
 *
 * <p>It also keeps the read pointer: a new owner starts at {@code 0-0} to re-read the
 * entries its predecessor was delivered but never acknowledged, and switches to
 * {@code >} (new entries) once that history is exhausted.
 *
 * <p>Nothing is handed out unless the partition's {@link Lease} is valid at that moment,
 * checked on the consumer's thread; a consumer waiting for events wakes at the lease's
 * deadline. A buffer whose lease ran out closes itself and says so ({@link #expired()}).
 */
final class PartitionBuffer implements EventFeed {
    static final String NEW_ENTRIES = ">";

    final int partition;
    final String key;
    final Lease lease;
    private final String streamName;
    private final int capacity;
    /** A read is scheduled once no more than this many events are buffered. */
    private final int refillMark;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    /** True while the partition is in the fetcher's ready queue or has a read in flight. */
    final AtomicBoolean scheduled = new AtomicBoolean();
    private final Consumer<PartitionBuffer> schedule;
    /** Called when a read ends on a closed buffer: a release waiting for it may go on. */
    private final Runnable readEndedClosed;
    private boolean closed;
    /** Closed because the lease ran out (or the server no longer held it), not by the executor. */
    private boolean expired;
    /** Written under {@link #lock}; volatile for {@link #reading()}. */
    private volatile boolean fetching;
    private volatile String pointer = "0-0";
    /** Whether the last read succeeded and filled its count, so more is likely waiting. */
    private volatile boolean backlogged;
    /** The worker's clock when the read in flight began; fetcher side, guarded by {@link #lock}. */
    private long fetchBegan;
    /**
     * The worker's clock at the start of the last read of new entries that returned all there
     * were (fewer than it asked for): every entry appended before then was received.
     */
    private volatile long caughtUpAt = Long.MIN_VALUE;
    /** Id of the newest entry any read handed us; guarded by {@link #lock}. */
    private String lastReceived;

    PartitionBuffer(String streamName, Lease lease, int capacity, Consumer<PartitionBuffer> schedule,
                    Runnable readEndedClosed) {
        this.readEndedClosed = readEndedClosed;
        this.streamName = streamName;
        this.partition = lease.partition;
        this.key = lease.streamKey;
        this.lease = lease;
        this.capacity = capacity;
        this.refillMark = capacity / 2;
        this.schedule = schedule;
    }

    @Override
    public Lease lease() {
        return lease;
    }

    @Override
    public int partition() {
        return partition;
    }

    // ------------------------------------------------------------ fetcher side

    /** Where the next read starts: an id while recovering pending entries, then {@code >}. */
    String pointer() {
        return pointer;
    }

    /** Marks a read as in flight; false if the buffer was closed meanwhile (skip it). */
    boolean beginFetch() {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            fetching = true;
            fetchBegan = System.currentTimeMillis();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends a read. Entries read after the buffer was closed are dropped: they stay in the
     * group's pending list, where the next owner finds them.
     *
     * @param entries what the read returned for this partition
     * @param ok      whether the read reached the server (a failed read keeps the pointer)
     * @return ids of pending entries that were trimmed from the stream meanwhile (Redis
     *         returns them without fields): nothing is left to process, so the caller
     *         acknowledges them
     */
    List<String> endFetch(List<StreamEntry> entries, boolean ok) {
        List<String> vanished = List.of();
        boolean endedClosed;
        lock.lock();
        try {
            fetching = false;
            endedClosed = closed;
            if (!closed && !ok && NEW_ENTRIES.equals(pointer)) {
                // The server may have delivered entries whose reply we never got (the
                // connection dropped mid-read): they sit in the pending list, where ">" never
                // looks. Re-read what is pending after the last entry we did receive.
                pointer = lastReceived != null ? lastReceived : "0-0";
            }
            // A failed read counts as finding nothing: the partition then waits in a blocking read
            // of its own slot, so a dead master does not hold back partitions on others (a read of
            // backlogged partitions spans masters).
            backlogged = ok && entries.size() >= capacity;
            if (ok && !backlogged && NEW_ENTRIES.equals(pointer)) {
                caughtUpAt = fetchBegan;
            }
            if (!closed && ok) {
                if (!entries.isEmpty()) {
                    lastReceived = entries.get(entries.size() - 1).id();
                }
                for (StreamEntry e : entries) {
                    if (e.fields().isEmpty()) {
                        if (vanished.isEmpty()) {
                            vanished = new ArrayList<>();
                        }
                        vanished.add(e.id());
                    } else {
                        events.add(new Event(streamName, partition, e.id(), e.fields()));
                    }
                }
                if (!NEW_ENTRIES.equals(pointer)) {
                    pointer = entries.isEmpty() ? NEW_ENTRIES : entries.get(entries.size() - 1).id();
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (endedClosed) {
            readEndedClosed.run();
        }
        if (hasRoom()) {
            schedule.accept(this);
        } else {
            scheduled.set(false);
            scheduleIfRoom();
        }
        return vanished;
    }

    /**
     * Whether the last read succeeded and returned a full {@code prefetch_count}: the
     * partition has a backlog, so its next read will find events without waiting.
     */
    boolean backlogged() {
        return backlogged;
    }

    // ----------------------------------------------------------- consumer side

    /**
     * The next event, waiting for one to arrive.
     *
     * @return null once the buffer is closed (revoked or stopping), even if events remain
     */
    @Override
    public Event next() throws InterruptedException {
        Event e;
        boolean refill;
        lock.lock();
        try {
            awaitEventWhileLeased();
            if (closed) {
                return null;
            }
            e = events.poll();
            refill = events.size() == refillMark;
        } finally {
            lock.unlock();
        }
        if (refill) {
            scheduleIfRoom();
        }
        return e;
    }

    @Override
    public Event next(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            long left;
            while (!closed && leaseHolds() && events.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                changed.awaitNanos(Math.min(left, lease.remainingNanos()));
            }
        } finally {
            lock.unlock();
        }
        return poll(); // the consumer's thread alone takes events: what the wait found is still there
    }

    @Override
    public long caughtUpAt() {
        return caughtUpAt;
    }

    /** The next event if one is buffered, without waiting; null if none is or the buffer is closed. */
    @Override
    public Event poll() {
        Event e;
        boolean refill;
        lock.lock();
        try {
            if (closed || !leaseHolds()) {
                return null;
            }
            e = events.poll();
            refill = e != null && events.size() == refillMark;
        } finally {
            lock.unlock();
        }
        if (refill) {
            scheduleIfRoom();
        }
        return e;
    }

    /**
     * Up to {@code n} events: waits for the first, then collects until {@code n} are there
     * or {@code within} has passed since the first arrived.
     *
     * @return an empty list once the buffer is closed
     */
    @Override
    public List<Event> next(int n, Duration within) throws InterruptedException {
        List<Event> batch = new ArrayList<>(Math.min(n, 1024));
        lock.lock();
        try {
            awaitEventWhileLeased();
            long deadline = System.nanoTime() + within.toNanos();
            while (!closed) {
                while (!events.isEmpty() && batch.size() < n) {
                    batch.add(events.poll());
                }
                if (batch.size() >= n) {
                    break;
                }
                // Room was just made: let the fetcher top us up while we wait.
                lock.unlock();
                try {
                    scheduleIfRoom();
                } finally {
                    lock.lock();
                }
                long remaining = Math.min(deadline - System.nanoTime(), lease.remainingNanos());
                if (remaining <= 0 || (events.isEmpty() && !changed.await(remaining, TimeUnit.NANOSECONDS))) {
                    while (!events.isEmpty() && batch.size() < n) {
                        batch.add(events.poll());
                    }
                    break;
                }
            }
            if (!leaseHolds()) {
                // Events taken out under a lease that ran out meanwhile go back to the
                // server's pending list with the partition: the next owner delivers them.
                batch.clear();
            }
        } finally {
            lock.unlock();
        }
        if (batch.isEmpty()) {
            return batch;
        }
        scheduleIfRoom();
        return batch;
    }

    /**
     * Waits (holding {@link #lock}) until an event is buffered, the buffer is closed, or the
     * lease runs out, which closes it.
     */
    private void awaitEventWhileLeased() throws InterruptedException {
        // The condition checks the lease once per wake-up: on the way out it was just found valid,
        // or the buffer is closed (expired included).
        while (!closed && leaseHolds() && events.isEmpty()) {
            changed.awaitNanos(lease.remainingNanos());
        }
    }

    /** Whether the lease is valid; closes the buffer as expired if not. Call holding {@link #lock}. */
    private boolean leaseHolds() {
        if (lease.valid()) {
            return true;
        }
        closeExpired();
        return false;
    }

    /** Closes as expired, dropping what is buffered; call holding {@link #lock}. */
    private void closeExpired() {
        if (!closed) {
            closed = true;
            expired = true;
            events.clear();
            changed.signalAll();
        }
    }

    // ------------------------------------------------------------ lifecycle

    /**
     * Closes the buffer because the partition's lock no longer holds its token (found by a
     * read or an ack), as if its lease had run out.
     */
    void expire() {
        lock.lock();
        try {
            closeExpired();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the buffer closed itself because its lease ended, rather than being closed by the executor. */
    @Override
    public boolean expired() {
        lock.lock();
        try {
            return expired;
        } finally {
            lock.unlock();
        }
    }

    /** Stops handing out events and fetching; wakes a waiting consumer. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts events back at the head of the buffer, in order, to be handed out again first
     * (a failed delivery tried again in place). Does nothing once closed: they stay pending
     * in the server for the next owner.
     */
    @Override
    public void pushBack(List<Event> failed) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            for (int i = failed.size() - 1; i >= 0; i--) {
                events.addFirst(failed.get(i));
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the buffer closes or {@code timeout} passes.
     *
     * @return whether it closed
     */
    @Override
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return awaitUntil(() -> closed, timeout);
    }

    @Override
    public void awaitClosed() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                changed.await();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a read for this partition is in flight. */
    boolean reading() {
        return fetching;
    }

    /** Waits, under the lock, until {@code done} holds or {@code timeout} passes; answers whether it holds. */
    private boolean awaitUntil(BooleanSupplier done, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                changed.await(remaining, TimeUnit.NANOSECONDS);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Number of buffered events (for gauges and tests). */
    int size() {
        lock.lock();
        try {
            return events.size();
        } finally {
            lock.unlock();
        }
    }

    private boolean hasRoom() {
        lock.lock();
        try {
            return !closed && events.size() <= refillMark;
        } finally {
            lock.unlock();
        }
    }

    /** Hands the partition to the fetcher unless it is already queued or being read. */
    void scheduleIfRoom() {
        if (hasRoom() && scheduled.compareAndSet(false, true)) {
            schedule.accept(this);
        }
    }
}
