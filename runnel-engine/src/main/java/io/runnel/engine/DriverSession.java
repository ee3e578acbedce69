// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RunnelException;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.Transport;
import io.runnel.engine.internal.DrivenProcessor;
import io.runnel.engine.internal.DrivenProcessors;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * The engine's side of {@code io.runnel.test.ProcessorTestDriver}: one processor whose
 * partitions are all locked by this session, run partition after partition on the caller's
 * thread by the worker's own {@link PartitionConsumer}, writing what a worker writes (acks, dead
 * letters, parked keys, halt and quarantine marks) to the app's transport. Its clock is a
 * {@link DriverClock}. The driver reaches it through {@link DrivenProcessors}, which it installs
 * itself into when loaded.
 *
 * <p>Not thread-safe: the test's thread uses it.
 *
 * @param <T> the record type of the processor's stream
 */
final class DriverSession<T> implements DrivenProcessor<T> {
    static {
        DrivenProcessors.install(DriverSession::open);
    }

    /** Runs over every partition before giving up on reaching idle (a processor feeding itself forever). */
    private static final int MAX_ROUNDS = 10_000;

    private final Processor<T> processor;
    private final Transport transport;
    private final PartitionLocks locks;
    private final PartitionMarks marks;
    private final Acker acker;
    private final DriverClock clock;
    private final Map<Integer, Lease> leases;
    private final Map<String, String> mdc;
    private final Set<Integer> poisoned = new TreeSet<>();
    /** What stopped the current run: a HALT, or a lost lock; null while none did. */
    private Throwable stop;

    private DriverSession(App app, Processor<T> processor, Instant start) {
        this.processor = processor;
        this.transport = app.transport();
        String id = "test-driver-" + Ids.random();
        this.mdc = Map.of("executor", id, "stream", processor.stream().name(), "processor", processor.name());
        app.prepare(processor);
        this.locks = new PartitionLocks(processor, transport, id);
        List<Integer> all = IntStream.range(0, processor.stream().partitionCount()).boxed().toList();
        this.leases = locks.acquire(all);
        if (leases.size() < all.size()) {
            locks.release(leases.values());
            Set<Integer> taken = new TreeSet<>(all);
            taken.removeAll(leases.keySet());
            throw new IllegalStateException("partitions " + taken + " of processor " + processor.name()
                    + " are locked by a running worker; stop it, or use an app of its own (a memory:// URL) for the test");
        }
        this.marks = new PartitionMarks(processor, transport, id, id);
        marks.clearAll(all); // as a new owner does: it tries them again
        // Entries left pending under other consumers (a worker that ran before) are claimed for the
        // session's token, as a worker's first read claims them, so pending() sees them at once.
        transport.readGroupFenced(processor.group(),
                leases.values().stream().map(l -> new FencedRead(l.fence, l.streamKey, "0-0")).toList(), 1, null);
        this.acker = new Acker(transport, processor.group(), processor.metrics(), mdc,
                lease -> stopWith(new IllegalStateException("the server refused acks of partition " + lease.partition
                        + ": its lock no longer holds the driver's token")));
        this.clock = new DriverClock(start, app.tasks());
    }

    /** The opener installed into {@link DrivenProcessors}. */
    private static DriverSession<?> open(App app, String processor, Instant start) {
        return new DriverSession<>(app, app.processor(processor), start);
    }

    @Override
    public Stream<T> stream() {
        return processor.stream();
    }

    @Override
    public String sendToPartitionOf(Object key, T record) {
        Stream<T> stream = processor.stream();
        int partition = stream.partitionFor(key);
        return stream.appendRaw(partition, List.of(stream.codec().encode(record))).get(0);
    }

    // ---------------------------------------------------------------- running

    @Override
    public void runInKeyOrder(List<?> keys) {
        Map<String, String> callersMdc = MDC.getCopyOfContextMap();
        try {
            for (Object key : keys) {
                Lease lease = leases.get(processor.stream().partitionFor(key));
                if (poisoned.contains(lease.partition)) {
                    throw new IllegalStateException("key " + key + " is on partition " + lease.partition
                            + ", which is quarantined");
                }
                if (!run(lease, String.valueOf(key))) {
                    throw new IllegalStateException("key " + key + " has no event left to process (partition "
                            + lease.partition + ")");
                }
            }
        } finally {
            restore(callersMdc);
        }
        runUntilIdle();
    }

    @Override
    public void runUntilIdle() {
        Map<String, String> callersMdc = MDC.getCopyOfContextMap();
        try {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                boolean handedOut = false;
                for (Lease lease : leases.values()) {
                    if (!poisoned.contains(lease.partition)) {
                        handedOut |= run(lease);
                    }
                }
                if (!handedOut) {
                    return;
                }
            }
            throw new IllegalStateException("processor " + processor.name() + " was still busy after " + MAX_ROUNDS
                    + " rounds over its partitions; does it send to its own stream for every event?");
        } finally {
            restore(callersMdc);
        }
    }

    private static void restore(Map<String, String> callersMdc) {
        if (callersMdc != null) {
            MDC.setContextMap(callersMdc);
        } else {
            MDC.clear();
        }
    }

    /** One run of the partition's consumer, until it has nothing more; whether it handed anything out. */
    private boolean run(Lease lease) {
        return run(lease, null);
    }

    /** One run of the partition's consumer over the earliest event of {@code onlyKey} only (null: over everything). */
    private boolean run(Lease lease, String onlyKey) {
        DrivenFeed feed = new DrivenFeed(processor, transport, lease, locks, acker, onlyKey,
                () -> clock.now().toEpochMilli());
        stop = null;
        new PartitionConsumer<>(processor, feed, acker, new Callbacks(feed), mdc).run();
        acker.flush();
        Throwable stopped = stop;
        if (stopped instanceof RuntimeException e) {
            throw e;
        } else if (stopped != null) {
            throw new RunnelException("processor " + processor.name() + " stopped with an error: " + stopped, stopped);
        }
        return feed.handedOut() > 0;
    }

    private void stopWith(Throwable error) {
        if (stop == null) {
            stop = error;
        }
    }

    /** What a worker's executor does when the consumer reports back, done on the spot. */
    private final class Callbacks implements CoordinatorInbox {
        private final DrivenFeed feed;

        Callbacks(DrivenFeed feed) {
            this.feed = feed;
        }

        @Override
        public void halt(Lease lease, List<String> eventIds, Throwable error) {
            marks.halted(lease, eventIds, error);
            stopWith(error);
        }

        @Override
        public void flowing(Lease lease) {
            marks.clearHalted(lease.partition);
        }

        @Override
        public void quarantine(Lease lease, Throwable error) {
            feed.close();
            poisoned.add(lease.partition);
            marks.poisoned(lease, error);
        }

        @Override
        public void settled(Lease lease) {
            // The driver runs the consumer on the caller's thread and waits for it itself.
        }

        @Override
        public void repairGroups(List<String> keys) {
            // The driver reads no stream: its feed is the events the test pipes in.
        }

        @Override
        public void leaseLost(Lease lease, String why) {
            stopWith(new IllegalStateException("the driver lost partition " + lease.partition + " of processor "
                    + processor.name() + ": " + why));
        }
    }

    // ------------------------------------------------------------------- time

    @Override
    public Instant now() {
        return clock.now();
    }

    @Override
    public void advanceTime(Duration duration) {
        clock.advance(duration);
    }

    // ------------------------------------------------------------- inspection

    @Override
    public List<T> acked() {
        return split().acked;
    }

    @Override
    public List<T> pending() {
        return split().pending;
    }

    @Override
    public Set<Integer> poisoned() {
        return Set.copyOf(poisoned);
    }

    @Override
    public <V> CommittedState<V> state(String name, Class<V> valueType) {
        return new CommittedState<>(processor, name, valueType, transport, () -> clock.now().toEpochMilli());
    }

    @Override
    public <U> List<U> records(Stream<U> stream) {
        List<U> records = new ArrayList<>();
        for (String key : stream.keys()) {
            for (var e : transport.range(key, "-", "+", Integer.MAX_VALUE)) {
                records.add(stream.codec().decode(e.fields()));
            }
        }
        return records;
    }

    /** The stream's events split into acknowledged and not, from the group's state on the server. */
    private Split<T> split() {
        Stream<T> stream = processor.stream();
        Split<T> split = new Split<>(new ArrayList<>(), new ArrayList<>());
        for (Lease lease : leases.values()) {
            String key = lease.streamKey;
            String lastDelivered = transport.groupInfo(key, processor.group()).map(GroupInfo::lastDeliveredId).orElse("0-0");
            Set<String> unacked = new HashSet<>();
            // The session's consumer (its lease token) holds whatever is delivered and not acknowledged.
            transport.readGroup(processor.group(), lease.fence.token(), Map.of(key, "0-0"), Integer.MAX_VALUE, null)
                    .getOrDefault(key, List.of()).forEach(e -> unacked.add(e.id()));
            for (var e : transport.range(key, "-", "+", Integer.MAX_VALUE)) {
                boolean delivered = compareIds(e.id(), lastDelivered) <= 0;
                (delivered && !unacked.contains(e.id()) ? split.acked : split.pending).add(stream.codec().decode(e.fields()));
            }
        }
        return split;
    }

    private record Split<T>(List<T> acked, List<T> pending) {
    }

    /** Orders stream ids ({@code <ms>-<seq>}) numerically. */
    static int compareIds(String a, String b) {
        long[] x = parseId(a);
        long[] y = parseId(b);
        int c = Long.compareUnsigned(x[0], y[0]);
        return c != 0 ? c : Long.compareUnsigned(x[1], y[1]);
    }

    private static long[] parseId(String id) {
        int dash = id.indexOf('-');
        return dash < 0 ? new long[] {Long.parseUnsignedLong(id), 0}
                : new long[] {Long.parseUnsignedLong(id.substring(0, dash)), Long.parseUnsignedLong(id.substring(dash + 1))};
    }

    // ---------------------------------------------------------------- closing

    @Override
    public void close() {
        acker.flush();
        locks.release(leases.values());
    }
}
