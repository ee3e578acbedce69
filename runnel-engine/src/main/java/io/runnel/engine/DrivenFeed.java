// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The events of one partition for a {@link PartitionConsumer} run by the test driver: read
 * from the server on the caller's thread when the consumer asks and none are at hand, and
 * closed (the consumer's run ends) once a read finds nothing more. Waits end at once: a
 * retry's backoff, and the rest of a short batch's window. Nothing else runs meanwhile, so
 * nothing could arrive; and the clock stands still during a run, since moving it would fire
 * timers whose events keep the run from ever ending (a 1 s timer feeding a 2 s batch window).
 *
 * <p>One feed serves one run, like a partition taken over by a new owner: its first read
 * starts at {@code 0-0}, re-reading what was delivered before and not acknowledged, and
 * switches to new entries once that is exhausted.
 */
final class DrivenFeed implements EventFeed {
    private static final Logger log = LoggerFactory.getLogger(DrivenFeed.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final Lease lease;
    private final PartitionLocks locks;
    private final Acker acker;
    private final ArrayDeque<Event> events = new ArrayDeque<>();
    private String pointer = "0-0";
    private boolean closed;
    private boolean expired;
    private long handedOut;
    /** The only key this feed hands out an event of (its earliest), then closes; null for every event in order. */
    private final String onlyKey;
    /** The driver's clock, epoch millis. */
    private final LongSupplier clock;

    /**
     * A feed that hands out only the earliest event of key {@code onlyKey} (as parking keys
     * go, {@link Stream#parkingKey}) and closes: the events before it stay pending, for the
     * partition's next run. Null: every event, in order.
     */
    DrivenFeed(Processor<?> processor, Transport transport, Lease lease, PartitionLocks locks, Acker acker,
               String onlyKey, LongSupplier clock) {
        this.onlyKey = onlyKey;
        this.clock = clock;
        this.processor = processor;
        this.transport = transport;
        this.lease = lease;
        this.locks = locks;
        this.acker = acker;
    }

    /** How many events this feed handed out, retries included. */
    long handedOut() {
        return handedOut;
    }

    @Override
    public Lease lease() {
        return lease;
    }

    @Override
    public int partition() {
        return lease.partition;
    }

    @Override
    public Event poll() {
        if (closed) {
            return null;
        }
        Event e = onlyKey == null ? events.poll() : takeOnlyKey();
        if (e != null) {
            handedOut++;
        }
        return e;
    }

    /** The earliest event of {@link #onlyKey} at hand, once: the feed closes after it. */
    private Event takeOnlyKey() {
        if (handedOut > 0) {
            closed = true;
            return null;
        }
        for (Iterator<Event> it = events.iterator(); it.hasNext(); ) {
            Event e = it.next();
            if (onlyKey.equals(keyOf(e))) {
                it.remove();
                return e;
            }
        }
        return null;
    }

    private String keyOf(Event e) {
        try {
            return processor.stream().parkingKey(e.fields());
        } catch (RuntimeException undecodable) {
            return null;
        }
    }

    @Override
    public Event next() {
        if (onlyKey != null) {
            Event e = poll();
            while (e == null && !closed && read()) {
                e = poll();
            }
            closed |= e == null;
            return e;
        }
        if (!closed && events.isEmpty()) {
            read();
        }
        if (events.isEmpty()) {
            closed = true;
            return null;
        }
        return poll();
    }

    /**
     * As {@link #next()}, except that with nothing left and {@code timeout} zero (a window of
     * an idle partition is due by the driver's clock) it returns null without closing, so the
     * window closes before the run ends. A longer wait would never end: the clock stands still.
     */
    @Override
    public Event next(Duration timeout) {
        if (onlyKey == null && !closed && events.isEmpty() && timeout.isZero()) {
            read();
            if (events.isEmpty()) {
                return null;
            }
        }
        return next();
    }

    @Override
    public long wallMillis() {
        return clock.getAsLong();
    }

    /** The driver reads everything there is before its feed runs dry: caught up as of its clock. */
    @Override
    public long caughtUpAt() {
        return clock.getAsLong();
    }

    @Override
    public List<Event> next(int n, Duration within) {
        List<Event> batch = new ArrayList<>();
        while (!closed && batch.size() < n) {
            if (events.isEmpty()) {
                read();
                if (events.isEmpty()) {
                    break;
                }
            }
            batch.add(events.poll());
        }
        if (batch.isEmpty()) {
            closed = true;
            return batch;
        }
        handedOut += batch.size();
        return batch; // short or not: nothing more can come within the window

    }

    @Override
    public void pushBack(List<Event> failed) {
        if (closed) {
            return;
        }
        for (int i = failed.size() - 1; i >= 0; i--) {
            events.addFirst(failed.get(i));
        }
    }

    @Override
    public boolean awaitClosed(Duration timeout) {
        return closed; // a retry's backoff: over at once
    }

    @Override
    public void awaitClosed() {
        // Nothing else could ever close it: the consumer waits for a release that only the
        // end of this run brings.
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean expired() {
        return expired;
    }

    /** Closes the feed (the partition was quarantined). */
    void close() {
        closed = true;
    }

    /**
     * One read of the partition (two when the pending history turns out empty), after renewing
     * the lease, so that a test slower than lock_expiry keeps the partition.
     */
    private boolean read() {
        if (!locks.extend(List.of(lease)).lost().isEmpty()) {
            loseLease();
            return false;
        }
        while (true) {
            FencedRead.Result result = transport.readGroupFenced(processor.group(),
                    List.of(new FencedRead(lease.fence, lease.streamKey, pointer)), processor.prefetchCount(), null).get(0);
            if (!result.held()) {
                loseLease();
                return false;
            }
            List<StreamEntry> entries = result.entries();
            List<String> vanished = new ArrayList<>();
            for (StreamEntry e : entries) {
                if (e.fields().isEmpty()) {
                    vanished.add(e.id());
                } else {
                    events.add(new Event(processor.stream().name(), lease.partition, e.id(), e.fields()));
                }
            }
            if (!vanished.isEmpty()) {
                log.error("{} pending event(s) of partition {} were trimmed from the stream before being processed; "
                        + "acknowledging them: {}", vanished.size(), lease.partition, vanished);
                acker.add(lease, vanished);
            }
            boolean recovering = !PartitionBuffer.NEW_ENTRIES.equals(pointer);
            if (recovering) {
                pointer = entries.isEmpty() ? PartitionBuffer.NEW_ENTRIES : entries.get(entries.size() - 1).id();
            }
            // Go on through the history (or on to new entries once it is exhausted) until events come.
            if (!events.isEmpty() || !recovering) {
                return !entries.isEmpty();
            }
        }
    }

    private void loseLease() {
        expired = true;
        closed = true;
        events.clear();
    }
}
