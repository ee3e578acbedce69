// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RunnelException;
import io.runnel.api.transport.Transport;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Runs one processor of an app in a test: synchronously, on the test's thread, with a clock
 * that moves only when the test moves it. Pipe records in, run until the processor is idle,
 * then look at what it acknowledged, left pending, dead-lettered, parked or quarantined, and
 * at what it sent to other streams.
 *
 * <pre>{@code
 * App app = App.builder("shop").redisUrl("memory://shop-test").build();
 * ShopApp.define(app);                                   // your streams and processors
 * try (ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "billing")) {
 *     driver.pipe(new Order("o-1", "alice", 120), new Order("o-2", "bob", -5));
 *     driver.runUntilIdle();
 *     assertThat(driver.acked()).extracting(Order::id).containsExactly("o-1", "o-2");
 *     assertThat(driver.deadLetters()).extracting(DeadLetters.DeadLetter::eventId).hasSize(1);
 * }
 * }</pre>
 *
 * <p><b>The same code as a worker.</b> The driver takes every partition's lock, and runs the
 * worker's own partition consumer over each partition in turn: the same {@link Events} views,
 * exception policy, retries, middleware, dead letters and parking, writing to the app's
 * transport as a worker does. So what it leaves behind is what a worker would: the inspection
 * methods read it back from the transport. Use a {@code memory://} URL for tests without
 * Redis, or a real Redis to test against one.
 *
 * <p><b>Time.</b> {@link #advanceTime} fires the app's timers and crontabs due on the way, in
 * order, on the caller's thread (the driver acts as the leader, so leader-only ones fire too).
 * The clock stands still during {@link #runUntilIdle}: a retry's backoff and the rest of a
 * short {@code take(n, within)} batch's window end at once, since nothing could arrive
 * meanwhile. One-shot tasks ({@link App#task}) are not run.
 *
 * <p><b>Differences from a worker.</b> A partition's run ends when it has nothing more to
 * process, so a function looping over {@code records()} returns and is called again on the
 * next run, as after a rebalance. {@code max_processing_time} is not enforced: a function
 * that hangs hangs the test. The HALT policy throws from {@link #runUntilIdle} what a
 * worker's {@link Worker#await()} would throw.
 *
 * <p>Not thread-safe: use it from the test's thread. Close it to release the locks.
 *
 * @param <T> the record type of the processor's stream
 */
public final class ProcessorTestDriver<T> implements AutoCloseable {
    /** Runs over every partition before giving up on reaching idle (a processor feeding itself forever). */
    private static final int MAX_ROUNDS = 10_000;

    private final App app;
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

    private ProcessorTestDriver(App app, Processor<T> processor, Instant start) {
        this.app = app;
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
        // driver's token, as a worker's first read claims them, so pending() sees them at once.
        transport.readGroupFenced(processor.group(),
                leases.values().stream().map(l -> new io.runnel.api.transport.FencedRead(l.fence, l.streamKey, "0-0")).toList(),
                1, null);
        this.acker = new Acker(transport, processor.group(), processor.metrics(), mdc,
                lease -> stopWith(new IllegalStateException("the server refused acks of partition " + lease.partition
                        + ": its lock no longer holds the driver's token")));
        this.clock = new DriverClock(start, app.tasks());
    }

    /**
     * A driver for the processor named {@code processor} of {@code app}, its clock starting
     * now. Declare the target type: {@code ProcessorTestDriver<Order> d = ProcessorTestDriver.of(app, "billing");}.
     *
     * @throws io.runnel.api.Misconfigured if the app has no such processor
     * @throws IllegalStateException       if a running worker holds some of its partitions
     */
    public static <T> ProcessorTestDriver<T> of(App app, String processor) {
        return of(app, processor, Instant.now());
    }

    /** A driver whose clock starts at {@code start} (for crontabs at known times). */
    @SuppressWarnings("unchecked")
    public static <T> ProcessorTestDriver<T> of(App app, String processor, Instant start) {
        Objects.requireNonNull(start, "start");
        return new ProcessorTestDriver<>(app, (Processor<T>) app.processor(processor), start);
    }

    // ------------------------------------------------------------------ input

    /**
     * Sends records to the processor's stream, as {@link Stream#sendAll} does (each to the
     * partition of its key).
     *
     * @return their event ids
     */
    @SafeVarargs
    public final List<String> pipe(T... records) {
        return processor.stream().sendAll(List.of(records));
    }

    /**
     * Sends a record to the partition of {@code key} rather than of the record's own key, as
     * a producer keying by something else would (say, another service).
     *
     * @return its event id
     */
    public String pipe(Object key, T record) {
        Stream<T> stream = processor.stream();
        int partition = stream.partitionFor(Objects.requireNonNull(key, "key"));
        return stream.appendRaw(partition, List.of(stream.codec().encode(record))).get(0);
    }

    // ---------------------------------------------------------------- running

    /**
     * Processes partition after partition until none has anything left: every event
     * delivered and completed, failed through the exception policy, or held by a quarantined
     * partition. Acknowledgements are sent before it returns.
     *
     * @throws RuntimeException what the HALT policy stops a worker with (the failure itself,
     *                          or a {@link RunnelException} wrapping a checked one)
     * @throws IllegalStateException if the driver lost a partition's lock, or the processor
     *                          kept feeding itself for 10,000 rounds
     */
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
            if (callersMdc != null) {
                MDC.setContextMap(callersMdc);
            } else {
                MDC.clear();
            }
        }
    }

    /** One run of the partition's consumer, until it has nothing more; whether it handed anything out. */
    private boolean run(Lease lease) {
        DrivenFeed feed = new DrivenFeed(processor, transport, lease, locks, acker);
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
    private final class Callbacks implements PartitionConsumer.ExecutorCallbacks {
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
        public void leaseLost(Lease lease, String why) {
            stopWith(new IllegalStateException("the driver lost partition " + lease.partition + " of processor "
                    + processor.name() + ": " + why));
        }
    }

    // ------------------------------------------------------------------- time

    /** The driver's clock. */
    public Instant now() {
        return clock.now();
    }

    /**
     * Moves the clock forward by {@code duration}, running each timer and crontab of the app
     * that falls due, at its time and in order. It processes nothing: call
     * {@link #runUntilIdle} for what they sent.
     *
     * @throws RuntimeException a task's failure (a worker would log it and go on)
     */
    public void advanceTime(Duration duration) {
        clock.advance(duration);
    }

    // ------------------------------------------------------------- inspection

    /**
     * The stream's events the processor acknowledged (processed, or failed and then ignored,
     * dead-lettered or parked), per partition in id order, partitions in order.
     */
    public List<T> acked() {
        return split().acked;
    }

    /** The stream's events the processor has not acknowledged: never delivered, or held by a halt or a quarantine. */
    public List<T> pending() {
        return split().pending;
    }

    /** The dead letters this processor wrote (on the stream's dead-letter stream), oldest first. */
    public List<DeadLetters.DeadLetter> deadLetters() {
        return app.deadLetters(processor.stream().name()).select(DeadLetters.Selection.all()).stream()
                .filter(d -> processor.name().equals(d.processor()))
                .toList();
    }

    /** The keys this processor parked (policy PARK), with their events. */
    public List<ParkedKeys.Parked> parked() {
        return app.parkedKeys(processor.name()).list();
    }

    /** The partitions the processor quarantined (policy QUARANTINE); the driver no longer runs them. */
    public Set<Integer> poisoned() {
        return Set.copyOf(poisoned);
    }

    /** Every record in {@code stream} (say, one the processor sends to), per partition in id order. */
    public <U> List<U> sentTo(Stream<U> stream) {
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
            String lastDelivered = transport.groupInfo(key, processor.group())
                    .map(io.runnel.api.transport.GroupInfo::lastDeliveredId).orElse("0-0");
            Set<String> unacked = new HashSet<>();
            // The driver's consumer (its lease token) holds whatever is delivered and not acknowledged.
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

    /** Sends outstanding acks and releases the partitions' locks; the app stays open. */
    @Override
    public void close() {
        acker.flush();
        locks.release(leases.values());
    }
}
