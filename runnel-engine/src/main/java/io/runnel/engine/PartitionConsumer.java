// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.Middleware;
import io.runnel.api.Misconfigured;
import io.runnel.api.ProcessingTimeout;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.ServerOutOfMemory;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Runs the processor function over one owned partition, on the thread that runs it (its own
 * virtual thread in a worker, the caller's in the test driver), and applies the exception
 * policy when it throws. Its events come from an {@link EventFeed}. It tracks the delivery
 * the function is holding: the delivery is acknowledged (and middleware told of its success) when the
 * function asks for the next one, or told of its failure when the function throws.
 */
final class PartitionConsumer<T> implements PartitionWork {
    private static final Logger log = LoggerFactory.getLogger(PartitionConsumer.class);

    private final Processor<T> processor;
    private final EventFeed feed;
    private final Acker acker;
    private final CoordinatorInbox executor;
    private final Map<String, String> mdc;
    /** The PARK policy's view of this partition, and the filter of re-sends meant for other processors. */
    private final Parking parking;
    /** What this consumer records about its deliveries, added to the partition's metrics with each ack hand-over. */
    private final DeliveryMetrics metrics;
    private final CountDownLatch exited = new CountDownLatch(1);
    /**
     * The delivery the function holds and since when, or null; changed by the consumer thread
     * only (one volatile write per hand-out and one per completion), read by the coordinator.
     */
    private volatile Holding holding;
    /** Set by the coordinator when {@link #holding} outlived max_processing_time; the delivery then fails with it. */
    private volatile ProcessingTimeout timedOut;
    private long delivered;
    /**
     * Ids of completed deliveries not yet handed to the acker, with the metrics gathered in
     * {@link #metrics}; the metrics also go at a hand-out 20 ms after the last or after a
     * delivery that took that long, so a slow function's deliveries show while it holds them.
     */
    private final CompletedIds completed;
    /**
     * The partition's keyed state when the processor has a context (a per-record function
     * with a context, run one delivery at a time): completed deliveries then commit their
     * effects with their acks. Null otherwise.
     */
    private final PartitionCommit commit;
    /** The context of the delivery handed out, while the function holds it; consumer thread only. */
    private DeliveryContext context;
    /** A windowed aggregation's open windows, loaded at its first call; consumer thread only. */
    private WindowedAggregation.Open windows;
    /** Whether a delivery completed since this consumer started. */
    private boolean flowing;
    /** A failed delivery put back for another try, or null; consumer thread only. */
    private Retry retrying;
    /** The try the delivery last handed out is at (1: the first); consumer thread only. */
    private int attempt = 1;

    /**
     * Tries of the delivery last handed out that failed because Redis could not serve the
     * function's own calls (see {@link #serverTrouble}): they use up none of the retry policy's
     * attempts. Consumer thread only.
     */
    private int serverRetries;
    /** The episodes of the function's own Redis calls failing; logged once each. */
    private final Outage functionCalls;
    /** Whether {@link #functionCalls} has an episode open; consumer thread only. */
    private boolean functionCallsFailing;

    /**
     * The next hand-out starting with event {@code firstId} is try {@code attempt} at it,
     * {@code serverRetries} of the earlier ones having failed for Redis's state.
     */
    private record Retry(String firstId, int attempt, int serverRetries) {
    }
    /** Whether the last completed delivery took {@link CompletedIds#DELAY_NANOS} or more; consumer thread only. */
    private boolean slow;


    PartitionConsumer(Processor<T> processor, EventFeed feed, Acker acker, CoordinatorInbox executor,
                      Map<String, String> mdc) {
        this.processor = processor;
        this.feed = feed;
        this.acker = acker;
        this.executor = executor;
        this.mdc = mdc;

        this.parking = new Parking(processor, feed.lease());
        this.metrics = processor.metrics().deliveries(feed.partition());
        this.commit = PartitionCommit.of(processor, feed.partition(), feed::wallMillis);
        this.completed = CompletedIds.of(processor, acker, feed.lease(), metrics, commit);
        this.functionCalls = new Outage(log, "the Redis calls of processor " + processor.name() + "'s function on partition "
                + feed.partition());
    }

    @Override
    public void run() {
        enterMdc(mdc, feed);
        try {
            if (!parking.load(feed::pauseUnlessClosed)) {
                return;
            }
            if (commit != null && commit.outbox() != null) {
                acker.forwardLater(commit.outbox()); // what a previous owner committed and did not forward
            }
            while (true) {
                long before = delivered;
                try {
                    processor.function().process(new EventsView<>(this));
                    completeCurrent();
                    if (feed.isClosed()) {
                        return;
                    }
                    if (delivered == before) {
                        // The function returns without reading anything; restarting it would spin.
                        log.warn("processor function returned without reading; partition {} stays idle until released",
                                feed.partition());
                        awaitClosed();
                        return;
                    }
                    log.debug("processor function returned while partition {} is owned; restarting it", feed.partition());
                } catch (Throwable error) {
                    if (feed.isClosed() && isInterruption(error)) {
                        // Cut short after the grace period: the delivery stays pending for the next owner.
                        log.warn("processor interrupted while stopping partition {}; its current events will be delivered again",
                                feed.partition());
                        return;
                    }
                    if (!handleFailure(error)) {
                        return;
                    }
                }
            }
        } finally {
            parking.close();
            handOverAcks();
            if (feed.expired()) {
                executor.leaseLost(feed.lease(), "its lease ran out before the heartbeat could renew it");
            }
            exited.countDown();
            executor.settled(feed.lease());
            MDC.clear();
        }
    }

    /**
     * Sets the MDC of a thread that processes the partition of {@code feed}: the executor's
     * keys, the partition, and the lease ({@code <executor>:<epoch>}, the lock's token), which
     * tells apart the ownerships of a partition in the logs.
     */
    static void enterMdc(Map<String, String> mdc, EventFeed feed) {
        MDC.setContextMap(mdc);
        MDC.put("partition", Integer.toString(feed.partition()));
        MDC.put("lease", feed.lease().fence.token());
    }

    @Override
    public boolean hasExited() {
        return exited.getCount() == 0;
    }

    @Override
    public Thread threadOf(Holding held, Thread partitionThread) {
        return partitionThread;
    }

    @Override
    public void wake() {
        // It waits in the feed only, which wakes it when closed.
    }

    @Override
    public int inFlight() {
        return holding == null ? 0 : 1;
    }

    // ------------------------------------------------------- used by EventsView

    /**
     * Completes the current delivery and returns the next one: a single event when
     * {@code n == 0}, else a batch.
     *
     * @return null when the partition is revoked or the worker stops
     */
    Delivery next(int n, Duration within) {
        return next(n, within, null);
    }

    /**
     * As {@link #next(int, Duration)} for a single event, waiting at most {@code idle} for it.
     *
     * @return null when the partition is revoked, the worker stops, or {@code idle} passed (tell
     *         them apart by {@link #closed()})
     */
    Delivery nextWithin(Duration idle) {
        return next(0, null, idle);
    }

    private Delivery next(int n, Duration within, Duration idle) {
        completeCurrent();
        List<Event> events;
        do {
            events = take(n, within, idle);
            if (events.isEmpty()) {
                return null;
            }
            if (parking.concerns(events)) {
                Parking.Admitted admitted = parking.admit(events, feed::pauseUnlessClosed);
                if (admitted == null) {
                    stopAfterLostLease("parking events");
                    return null;
                }
                completed.addAll(admitted.skipped()); // re-sends for other processors: acknowledged unprocessed
                events = admitted.events();
            }
        } while (events.isEmpty());
        int previousAttempt = attempt;
        attempt = 1;
        serverRetries = 0;
        if (retrying != null) {
            // A batch may gather more events behind the retried ones; it is the same try at them.
            if (events.get(0).id().equals(retrying.firstId())) {
                attempt = retrying.attempt();
                serverRetries = retrying.serverRetries();
            }
            retrying = null;
        }
        if (attempt > 1) {
            MDC.put("attempt", Integer.toString(attempt));
        } else if (previousAttempt > 1) {
            MDC.remove("attempt"); // only then: the hand-out path runs per event
        }
        Delivery delivery = new Delivery(processor.name(), feed.partition(), events, attempt);
        long now = processor.ticker().nanos();
        metrics.delivered(delivery);
        holding = new Holding(delivery, now);
        if (slow || completed.delayPassed(now)) {
            // A slow function's deliveries show in the metrics as they are handed out, not
            // only when it asks for the next one; at its pace that costs nothing.
            completed.handOver(now);
        }
        delivered++;
        if (attempt == 1) {
            // A delivery tried again is still one delivery to middleware: before its first try,
            // after its last.
            for (Middleware m : processor.middleware()) {
                m.beforeProcessing(delivery);
            }
        }
        return delivery;
    }

    /**
     * The next events from the feed: one when {@code n == 0}, else a batch; none when it closed
     * or {@code idle} (when given, for one event) passed.
     */
    private List<Event> take(int n, Duration within, Duration idle) {
        try {
            if (n == 0) {
                Event e = feed.poll();
                if (e == null) {
                    handOverAcks(); // nothing buffered: don't sit on acks while waiting
                    e = idle == null ? feed.next() : feed.next(idle);
                }
                return e == null ? List.of() : List.of(e);
            }
            handOverAcks();
            return feed.next(n, within);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /**
     * After a fenced call found the lock no longer held: tells the executor (unless the
     * partition was released anyway) and waits for it to close the partition.
     */
    private void stopAfterLostLease(String doing) {
        if (!feed.isClosed()) {
            executor.leaseLost(feed.lease(), "the server no longer held its lock when " + doing);
            awaitClosed();
        }
    }

    /** The try the delivery last handed out is at (for {@link EventsView#attempt()}). */
    int attempt() {
        return attempt;
    }

    /** Checks a batch window against the grace period (a window that long could never drain in time). */
    void checkBatchWindow(int n, Duration within) {
        if (n < 1) {
            throw new Misconfigured("processor " + processor.name() + ": take(n, within) needs n >= 1, got " + n);
        }
        if (within.isNegative() || within.compareTo(processor.gracePeriod()) >= 0) {
            throw new Misconfigured("processor " + processor.name() + ": batch window " + within.toMillis()
                    + " ms must be shorter than grace_period (" + processor.gracePeriod().toMillis() + " ms)");
        }
    }

    Processor<T> processor() {
        return processor;
    }

    int partition() {
        return feed.partition();
    }

    // ---------------------------------------------------------------- internals

    private void completeCurrent() {
        Holding held = holding;
        if (held == null) {
            return;
        }
        ProcessingTimeout late = timedOut;
        if (late != null) {
            // It came back, or asked for more, after the coordinator gave up on it: a failure.
            throw late;
        }
        holding = null;
        Delivery done = held.delivery();
        long now = processor.ticker().nanos();
        metrics.succeeded(done, now - held.since());
        slow = now - held.since() >= CompletedIds.DELAY_NANOS;
        List<Middleware> middleware = processor.middleware();
        for (int i = middleware.size() - 1; i >= 0; i--) {
            middleware.get(i).afterSuccess(done);
        }
        List<Event> events = done.events();
        parking.processed(events);
        if (commit != null) {
            completed.add(events.get(0).id(), context); // one event per delivery: the per-record form
            context = null;
        } else {
            for (int i = 0; i < events.size(); i++) {
                completed.add(events.get(i).id());
            }
        }
        if (!flowing) {
            flowing = true;
            executor.flowing(feed.lease());
        }
        if (functionCallsFailing) {
            functionCallsFailing = false;
            functionCalls.succeeded();
        }
        if (completed.due(now)) {
            completed.handOver(now);
        }
    }

    /**
     * A context for the delivery just handed out ({@code event}), whose effects commit with its
     * ack when it completes; for {@link EventsView#eachWithContext}.
     */
    DeliveryContext contextFor(Event event) {
        context = new DeliveryContext(processor, feed.partition(), event, commit);
        return context;
    }

    /** Whether the partition was revoked or the worker stops. */
    boolean closed() {
        return feed.isClosed();
    }

    /** The worker's clock (the driver's under the test driver), epoch millis. */
    long wallMillis() {
        return feed.wallMillis();
    }

    /** See {@link EventFeed#caughtUpAt()}. */
    long caughtUpAt() {
        return feed.caughtUpAt();
    }

    /** The open windows of {@code aggregation} on this partition, loaded from Redis at the first call. */
    WindowedAggregation.Open windows(WindowedAggregation<T, ?> aggregation) {
        if (windows == null) {
            windows = aggregation.load(commit.states());
        }
        return windows;
    }

    /**
     * Runs {@code tick} with a context of no event, between deliveries, and commits what it
     * staged as it would a delivery's, without an ack.
     *
     * @return whether it succeeded; a failure is logged, and its staged effects dropped
     */
    boolean tick(WindowTick tick) {
        DeliveryContext ticking = new DeliveryContext(processor, feed.partition(), null, commit);
        try {
            tick.run(ticking);
        } catch (Exception | LinkageError e) {
            log.warn("processor {} failed to close the windows of idle partition {} by the clock; trying again in a "
                    + "second, or at its next event", processor.name(), feed.partition(), e);
            return false;
        }
        completed.add(null, ticking);
        handOverAcks();
        return true;
    }

    /** What {@link #tick} runs. */
    @FunctionalInterface
    interface WindowTick {
        void run(DeliveryContext context) throws Exception;
    }

    private void handOverAcks() {
        completed.handOver(processor.ticker().nanos());
    }

    /** @return whether to restart the function on this partition */
    private boolean handleFailure(Throwable thrown) {
        context = null; // what the failed try staged is dropped; a retry starts afresh
        Throwable error = asTimeout(thrown);
        Holding held = holding;
        Delivery failed = held != null ? held.delivery() : new Delivery(processor.name(), feed.partition(), List.of());
        holding = null;
        TransportException unserved = serverTrouble(error);
        if (unserved != null && !failed.events().isEmpty()) {
            return waitForRedis(failed, unserved);
        }
        if (retries(processor, failed, error, serverRetries)) {
            // Not a failure the policy (or middleware, or the failed meter) sees yet: only the last try's is.
            return retry(failed, error);
        }
        List<String> ids = ids(failed);
        if (commit != null) {
            handOverAcks();
            if (!FinalFailure.commitBefore(acker, feed.partition())) {
                return false;
            }
        }
        if (!FinalFailure.record(processor, failed, error, feed)) {
            return false;
        }
        if (error instanceof Misconfigured) {
            FinalFailure.logMisconfigured(processor, error);
            executor.halt(feed.lease(), ids, error);
            return false;
        }
        return switch (processor.exceptionPolicy()) {
            case HALT -> {
                FinalFailure.logHalt(processor, feed.partition(), ids, error);
                executor.halt(feed.lease(), ids, error);
                yield false;
            }
            case QUARANTINE -> {
                FinalFailure.logQuarantine(processor, feed.partition(), ids, error);
                executor.quarantine(feed.lease(), error);
                yield false;
            }
            case PARK -> {
                if (failed.events().isEmpty()) {
                    yield !feed.isClosed(); // the function failed before reading: nothing to park
                }
                if (!parking.parkFailed(failed.events(), error, feed::pauseUnlessClosed)) {
                    stopAfterLostLease("parking failed events");
                    yield false;
                }
                yield !feed.isClosed();
            }
            case IGNORE -> {
                FinalFailure.logIgnore(processor, feed.partition(), ids, error);
                acker.add(feed.lease(), ids);
                yield !feed.isClosed();
            }
        };
    }

    /**
     * What a function threw because Redis could not serve one of its calls for now, rather
     * than because of the events: a {@link TransportException} in the cause chain that is an
     * outage (no connection, a timeout, a cluster without a master for a slot) or a refusal at
     * maxmemory. Null for anything else, a refusal about the data ({@code WRONGTYPE}) included.
     */
    static TransportException serverTrouble(Throwable error) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) {
            if (t instanceof TransportException e && (!(e instanceof CommandRejected) || e instanceof ServerOutOfMemory)) {
                return e;
            }
        }
        return null;
    }

    /**
     * The function failed because Redis could not serve its own call (a send onward to a
     * partition on a dead master, a full memory): that says nothing about the events, so no
     * exception policy, middleware or retry attempt sees it. The delivery waits with backoff,
     * logged once per episode, and is handed out again; it ends when the partition leaves
     * (its lease lapses if Redis stays away) or the worker stops, the events then pending for
     * the next owner.
     *
     * @return whether to restart the function
     */
    private boolean waitForRedis(Delivery failed, TransportException cause) {
        Duration pause = functionCalls.failed(cause);
        functionCallsFailing = true;
        feed.pushBack(failed.events());
        // The next try is a later one to middleware (which saw the first begin), but costs no attempt.
        retrying = new Retry(failed.events().get(0).id(), failed.attempt() + 1, serverRetries + 1);
        try {
            return !feed.awaitClosed(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Whether a failed delivery gets another try: tries are left, and the failure is one the
     * processor retries. A stuck function ({@link ProcessingTimeout}) is not: the coordinator
     * is already deciding about its thread; nor is a misconfiguration, which halts.
     */
    static boolean retries(Processor<?> processor, Delivery failed, Throwable error, int serverRetries) {
        if (failed.events().isEmpty() || failed.attempt() - serverRetries >= processor.retry().maxAttempts()
                || error instanceof ProcessingTimeout || error instanceof Misconfigured) {
            return false;
        }
        try {
            return processor.retryable().test(error);
        } catch (RuntimeException e) {
            log.error("the retry predicate of processor {} failed; not retrying", processor.name(), e);
            return false;
        }
    }

    /**
     * Puts the failed events back at the head of the feed and pauses the partition for the
     * backoff, so that they are handed out again before anything behind them.
     *
     * @return whether to restart the function: false when the partition was revoked or the
     *         worker stops meanwhile (the events stay pending for the next owner)
     */
    private boolean retry(Delivery failed, Throwable error) {
        Duration pause = retryPause(processor, failed, serverRetries, error);
        feed.pushBack(failed.events());
        retrying = new Retry(failed.events().get(0).id(), failed.attempt() + 1, serverRetries);
        try {
            return !feed.awaitClosed(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Counts and logs a failed try that will be tried again, and returns the backoff before
     * the next one. Tries that failed for Redis's state ({@code serverRetries}) are not the
     * policy's.
     */
    static Duration retryPause(Processor<?> processor, Delivery failed, int serverRetries, Throwable error) {
        int counted = failed.attempt() - serverRetries;
        Duration pause = processor.retry().backoff(counted, ThreadLocalRandom.current().nextDouble());
        log.warn("processor {} failed on partition {} (events {}, attempt {} of {}): {}; trying again in {} ms",
                processor.name(), failed.partition(), ids(failed), counted, processor.retry().maxAttempts(), error,
                pause.toMillis());
        processor.metrics().retried(failed);
        return pause;
    }

    /** The timeout in place of what the function threw once the coordinator had timed it out. */
    private Throwable asTimeout(Throwable thrown) {
        ProcessingTimeout timeout;
        synchronized (this) {
            timeout = timedOut;
            if (timeout != null) {
                timedOut = null;
                Thread.interrupted(); // the coordinator's interrupt is spent: the function may be restarted
            }
        }
        if (timeout == null || thrown == timeout) {
            return thrown;
        }
        timeout.initCause(thrown);
        return timeout;
    }

    // ------------------------------------------------------- used by the coordinator

    @Override
    public Holding holding() {
        return holding;
    }

    @Override
    public boolean isTimedOut() {
        return timedOut != null;
    }

    /**
     * The delivery outlived max_processing_time: interrupts {@code thread} (the consumer's),
     * and the delivery fails with {@code timeout} when the function throws, returns or asks
     * for more. Together with {@link #asTimeout}, so the interrupt never outlives the failure
     * it was for.
     *
     * @return false if the function no longer holds {@code held}
     */
    @Override
    public synchronized boolean timeOut(Holding held, ProcessingTimeout timeout, Thread thread) {
        if (holding != held || timedOut != null) {
            return false;
        }
        timedOut = timeout;
        thread.interrupt();
        return true;
    }

    private void awaitClosed() {
        try {
            feed.awaitClosed();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static boolean isInterruption(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    static List<String> ids(Delivery d) {
        List<String> ids = new ArrayList<>(d.events().size());
        for (Event e : d.events()) {
            ids.add(e.id());
        }
        return ids;
    }
}
