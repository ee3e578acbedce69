// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.Middleware;
import io.runnel.api.Misconfigured;
import io.runnel.api.ProcessingTimeout;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a per-record processor ({@link PerRecord}) over one owned partition with up to
 * {@code max_in_flight} deliveries at once, one per partition key: the events of a key run one
 * after another, in stream order, and the events of different keys run concurrently.
 *
 * <p>Two kinds of threads share the work. The partition's own thread (the dispatcher, which
 * runs {@link #run()}) takes events from the {@link EventFeed}, decodes each to find its key,
 * and queues it behind its key's earlier events if the key has any; otherwise the key waits
 * for a <em>lane</em>, and an idle lane is woken (or a new one started, while fewer than
 * {@code max_in_flight} run) unless one is already on its way. A lane is a virtual thread that
 * delivers one key's events one after another (its own retries and backoffs included, so a
 * failing key holds back only itself), then takes the next waiting key, or parks until woken;
 * a lane that takes a key and sees more waiting wakes the next lane. Every
 * change to the keys, lanes, waiting events, completed ids and the partition's
 * {@link Parking} and {@link DeliveryMetrics} is made holding {@link #lock}; the handler and
 * middleware run outside it.
 *
 * <p>Bounds: at most {@code max_in_flight} lanes, and at most {@code prefetch_count} events
 * read and waiting (for a lane, or behind an earlier event of their key). When that is reached
 * the dispatcher stops taking events (the buffer, bounded by the fetcher, then stops reading),
 * so a hot key cannot grow memory.
 *
 * <p>Each completed delivery is acknowledged through the fenced {@link Acker}, whatever the
 * state of the others. Events queued or in flight when the partition closes are not: they stay
 * pending, and the next owner reads the pending entries, in stream order, before newer ones,
 * so each key's first processing stays in send order across a failover.
 */
final class KeyedConsumer<T> implements PartitionWork {
    private static final Logger log = LoggerFactory.getLogger(KeyedConsumer.class);
    private static final String UNDECODABLE = "undecodable:";
    /** The most events the dispatcher hands out in one hold of the lock. */
    private static final int DISPATCH_GROUP = 32;

    private final Processor<T> processor;
    private final PerRecord<T> handler;
    private final EventFeed feed;
    private final Acker acker;
    private final CoordinatorInbox inbox;
    private final Map<String, String> mdc;
    private final Parking parking;
    private final DeliveryMetrics metrics;
    private final int maxInFlight;
    private final int queueLimit;
    private final CountDownLatch exited = new CountDownLatch(1);

    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled when a lane ends or takes a queued event, and on {@link #wake()}. */
    private final Condition changed = lock.newCondition();
    /** The keys with events to deliver, in a lane or waiting for one, by key; guarded by {@link #lock}. */
    private final Map<String, KeyWork> busy = new HashMap<>();
    /** Keys waiting for a lane, in the order their first events came; guarded by {@link #lock}. */
    private final ArrayDeque<KeyWork> ready = new ArrayDeque<>();
    /** The lanes waiting for a key (their threads parked); guarded by {@link #lock}. */
    private final ArrayDeque<Lane> idle = new ArrayDeque<>();
    /** Every lane whose thread runs, busy or idle: what the coordinator reads. */
    private final List<Lane> all = new CopyOnWriteArrayList<>();
    /** Lane threads that have not exited; guarded by {@link #lock}. */
    private int alive;
    /**
     * Lanes woken (or started) to take a waiting key that have not run yet; guarded by
     * {@link #lock}. At most one at a time: a woken lane that takes a key and still sees keys
     * waiting wakes the next. So under a CPU-bound load a burst of new keys costs one wake-up,
     * not one per key, while an I/O-bound load still fills every lane within a few hops.
     */
    private int waking;
    /** Set when the dispatcher stopped taking events: idle lanes then exit. Guarded by {@link #lock}. */
    private boolean dispatcherDone;
    /**
     * Events read and not yet handed out (waiting for a lane, or behind an earlier event of
     * their key); written holding {@link #lock}, volatile for a racy first look.
     */
    private volatile int queued;
    /** Ids of completed deliveries not yet handed to the acker; guarded by {@link #lock}. */
    private final CompletedIds completed;
    /**
     * Set when the partition must stop taking events although its feed is open: a policy
     * (HALT, QUARANTINE) stopped it, a failure could not be recorded, or the lease was lost.
     * Written holding {@link #lock}; volatile for the lanes' checks.
     */
    private volatile boolean stopping;
    /** Whether a delivery completed since this consumer started (its halted mark is then cleared). */
    private volatile boolean flowing;
    /** The partition's own thread, set when {@link #run()} starts. */
    private volatile Thread dispatcher;
    /** The episodes of the handler's own Redis calls failing; logged once each (Outage is thread-safe). */
    private final Outage functionCalls;
    /** Whether {@link #functionCalls} has an episode open. */
    private volatile boolean functionCallsFailing;
    /** Makes the lanes' threads; used by the dispatcher only. */
    private final Thread.Builder.OfVirtual laneThreads;
    /** The MDC of every thread of this partition, set with one call per lane. */
    private final Map<String, String> laneMdc;
    /**
     * The partition's keyed state when the processor has a context (its deliveries' effects
     * then commit with their acks, see {@link CompletedIds}); null otherwise.
     */
    private final PartitionCommit commit;

    KeyedConsumer(Processor<T> processor, EventFeed feed, Acker acker, CoordinatorInbox inbox,
                  Map<String, String> mdc) {
        this.processor = processor;
        this.handler = (PerRecord<T>) processor.function();
        this.feed = feed;
        this.acker = acker;
        this.inbox = inbox;
        this.mdc = mdc;
        this.parking = new Parking(processor, feed.lease());
        this.metrics = processor.metrics().deliveries(feed.partition());
        this.maxInFlight = processor.maxInFlight();
        this.queueLimit = processor.prefetchCount();
        this.commit = PartitionCommit.of(processor, feed.partition(), feed::wallMillis);
        this.completed = CompletedIds.of(processor, acker, feed.lease(), metrics, commit);
        this.functionCalls = new Outage(log, "the Redis calls of processor " + processor.name()
                + "'s function on partition " + feed.partition());
        this.laneThreads = Thread.ofVirtual().name("runnel-" + processor.name() + "-" + feed.partition() + "-key");
        Map<String, String> full = new HashMap<>(mdc);
        full.put("partition", Integer.toString(feed.partition()));
        full.put("lease", feed.lease().fence.token());
        this.laneMdc = Map.copyOf(full);
    }

    /**
     * One event to deliver: its record decoded (to find its key), or why it could not be;
     * whether it was queued behind an earlier event of its key (for {@code key-wait}).
     */
    private record Job<R>(Event event, String key, R record, RuntimeException undecodable, long readAt,
                          boolean behindKey) {
        Job<R> behind() {
            return new Job<>(event, key, record, undecodable, readAt, true);
        }
    }

    /** A key's events to deliver, in order, and the lane delivering them (null while it waits for one). */
    private final class KeyWork {
        final String key;
        final ArrayDeque<Job<T>> jobs = new ArrayDeque<>(2);
        Lane lane;

        KeyWork(String key) {
            this.key = key;
        }
    }

    /**
     * A virtual thread that delivers the events of one key at a time, one after another. When
     * its key has nothing more it takes the next key waiting for a lane, or, if none waits,
     * parks, idle, until woken; so a thread is started only when every lane is busy (at most
     * {@code max_in_flight} per partition), and under load a lane goes from key to key without
     * parking.
     */
    private final class Lane {
        final Thread thread;
        /** Signalled when the idle lane is given a key, and when it should exit. */
        final Condition assigned = lock.newCondition();
        /** The key it delivers now; null while idle. Guarded by {@link #lock}. */
        KeyWork work;
        /** Woken or started to take a waiting key, and not yet run: counted in {@link #waking}. Guarded by {@link #lock}. */
        boolean woken;
        /** The delivery in flight, or null; read by the coordinator. */
        volatile DeliveryInFlight<Job<T>> flight;
        /** The context of the lane's last delivery, from its success to its settling; lane's thread only. */
        DeliveryContext context;

        Lane() {
            this.thread = laneThreads.unstarted(() -> runLane(this));
        }

        int queuedCount() {
            return work == null ? 0 : work.jobs.size();
        }
    }

    /** How a delivery ended, as the lane reports it. */
    private enum Outcome {
        SUCCEEDED,
        /** Failed for good and recorded: the exception policy acts. */
        FAILED,
        /** Failed for good, and its dead letter could not be stored: it stays pending, the partition stops. */
        UNRECORDED,
        /** Interrupted while the partition closed or stopped: it stays pending for the next owner. */
        CUT_SHORT
    }

    // ----------------------------------------------------------- the dispatcher

    @Override
    public void run() {
        dispatcher = Thread.currentThread();
        PartitionConsumer.enterMdc(mdc, feed);
        try {
            if (!parking.load(feed::pauseUnlessClosed)) {
                return;
            }
            if (commit != null && commit.outbox() != null) {
                acker.forwardLater(commit.outbox()); // what a previous owner committed and did not forward
            }
            List<Job<T>> jobs = new ArrayList<>(DISPATCH_GROUP);
            while (true) {
                Event event = nextEvent();
                if (event == null) {
                    break;
                }
                // Decoded outside the lock, and dispatched in groups: one lock round for what the
                // buffer holds, rather than one per event.
                jobs.add(decode(event));
                while (jobs.size() < DISPATCH_GROUP && queued + jobs.size() < queueLimit) {
                    Event more = feed.poll();
                    if (more == null) {
                        break;
                    }
                    jobs.add(decode(more));
                }
                boolean go = dispatch(jobs);
                jobs.clear();
                if (!go) {
                    break;
                }
            }
        } finally {
            awaitLanes();
            parking.close();
            lock.lock();
            try {
                completed.handOver(processor.ticker().nanos());
            } finally {
                lock.unlock();
            }
            if (feed.expired()) {
                inbox.leaseLost(feed.lease(), "its lease ran out before the heartbeat could renew it");
            }
            exited.countDown();
            inbox.settled(feed.lease());
            MDC.clear();
        }
    }

    /** The next event, once there is room to queue it; null when the partition closes or stops. */
    private Event nextEvent() {
        if (queued >= queueLimit) {
            lock.lock();
            try {
                while (queued >= queueLimit && !stopped()) {
                    changed.await();
                }
            } catch (InterruptedException e) {
                return interrupted();
            } finally {
                lock.unlock();
            }
        }
        if (stopped()) {
            return null;
        }
        Event e = feed.poll();
        if (e != null) {
            return e;
        }
        lock.lock();
        try {
            completed.handOver(processor.ticker().nanos()); // nothing buffered: don't sit on acks while waiting
        } finally {
            lock.unlock();
        }
        try {
            return feed.next();
        } catch (InterruptedException ex) {
            return interrupted();
        }
    }

    /**
     * The dispatcher was interrupted: by a lane that stopped the partition (which then clears
     * the interrupt: the dispatcher still waits for the other lanes), or by a release past its
     * grace period (which it keeps, so lanes are interrupted at once).
     */
    private Event interrupted() {
        if (stopping) {
            Thread.interrupted();
        } else {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private boolean stopped() {
        return stopping || feed.isClosed();
    }

    private Job<T> decode(Event event) {
        try {
            T record = processor.stream().codec().decode(event.fields());
            byte[] replayKey = event.fields().get(Parking.REPLAY_KEY);
            String key = replayKey != null ? new String(replayKey, StandardCharsets.UTF_8)
                    : processor.stream().keyText(record);
            return new Job<>(event, key, record, null, processor.ticker().nanos(), false);
        } catch (RuntimeException undecodable) {
            // A key by itself: it fails on its lane, under the exception policy, holding back no other key.
            return new Job<>(event, UNDECODABLE + event.id(), null, undecodable, processor.ticker().nanos(), false);
        }
    }

    /**
     * {@link #dispatch(Job)} for each job, in order, in one hold of the lock.
     *
     * @return false when the partition closed or stopped meanwhile (the rest stay pending)
     */
    private boolean dispatch(List<Job<T>> jobs) {
        lock.lock();
        try {
            for (int i = 0; i < jobs.size(); i++) {
                if (!dispatch(jobs.get(i))) {
                    return false;
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues the job behind its key's earlier events, or gives its key to an idle lane, a new
     * lane (while fewer than {@code max_in_flight} run), or the queue of keys waiting for one;
     * holding {@link #lock}.
     *
     * @return false when the partition closed or stopped meanwhile
     */
    private boolean dispatch(Job<T> job) {
        List<Event> events = List.of(job.event());
        if (parking.concerns(events)) {
            Parking.Admitted admitted = parking.admit(events, feed::pauseUnlessClosed);
            if (admitted == null) {
                stopAfterLostLease("parking events");
                return false;
            }
            completed.addAll(admitted.skipped()); // re-sends for other processors: acknowledged unprocessed
            if (admitted.events().isEmpty()) {
                return true;
            }
        }
        KeyWork work = busy.get(job.key());
        if (work != null) {
            work.jobs.add(job.behind());
            queued++;
            return true;
        }
        if (stopped() || !leaseHolds()) {
            return false;
        }
        work = new KeyWork(job.key());
        work.jobs.add(job);
        queued++;
        busy.put(job.key(), work);
        ready.add(work); // the first lane free takes it: one done with its key, or one woken for it
        wakeLane();
        return true;
    }

    /**
     * Wakes an idle lane, or starts a new one (while fewer than {@code max_in_flight} run), to
     * take a waiting key, unless one is already on its way; holding {@link #lock}.
     */
    private void wakeLane() {
        if (waking > 0 || ready.isEmpty() || stopped() || dispatcherDone) {
            return;
        }
        Lane lane = idle.poll();
        if (lane != null) {
            lane.woken = true;
            waking++;
            lane.assigned.signal();
        } else if (all.size() < maxInFlight) {
            lane = new Lane();
            all.add(lane);
            alive++;
            lane.woken = true;
            waking++;
            lane.thread.start();
        }
    }

    /** A woken lane runs: it is no longer on its way; holding {@link #lock}. */
    private void arrived(Lane lane) {
        if (lane.woken) {
            lane.woken = false;
            waking--;
        }
    }

    /** Gives {@code work}'s key to {@code lane}; holding {@link #lock}. */
    private void give(Lane lane, KeyWork work) {
        lane.work = work;
        work.lane = lane;
    }

    /**
     * Waits for the lanes to end once the dispatcher stopped taking events: they get the grace
     * period to finish their deliveries, then are interrupted (at once if the dispatcher was:
     * a release past its grace period).
     */
    private void awaitLanes() {
        long deadline = System.nanoTime() + processor.gracePeriod().toNanos();
        boolean interrupted = Thread.interrupted() && !stopping; // stop() interrupts too, to wake the dispatcher
        lock.lock();
        try {
            dispatcherDone = true;
            idle.forEach(l -> l.assigned.signal());
            while (alive > 0) {
                long left = deadline - System.nanoTime();
                if (interrupted || left <= 0) {
                    break;
                }
                try {
                    changed.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (alive > 0) {
                log.warn("{} lane(s) of partition {} still running after the grace period ({}); interrupting "
                        + "them, their events will be delivered again", alive, feed.partition(),
                        processor.gracePeriod());
                all.forEach(l -> l.thread.interrupt());
                while (alive > 0) {
                    changed.awaitUninterruptibly();
                }
            }
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- a lane

    private void runLane(Lane lane) {
        MDC.setContextMap(laneMdc);
        try {
            DeliveryInFlight<Job<T>> flight = takeNext(lane);
            while (flight != null) {
                Outcome outcome = deliver(lane, flight);
                flight = settle(lane, flight, outcome);
                if (flight == null) {
                    flight = awaitKey(lane);
                }
            }
        } finally {
            lock.lock();
            try {
                release(lane);
                arrived(lane);
                idle.remove(lane);
                all.remove(lane);
                alive--;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            MDC.clear();
        }
    }

    /** {@link #next} under the lock. */
    private DeliveryInFlight<Job<T>> takeNext(Lane lane) {
        lock.lock();
        try {
            arrived(lane);
            return stopped() ? null : next(lane);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The lane's next delivery: its key's next event, or, once its key has nothing more, the
     * first event of the next key waiting for a lane; null when none waits. Holding
     * {@link #lock}.
     */
    private DeliveryInFlight<Job<T>> next(Lane lane) {
        while (true) {
            KeyWork work = lane.work;
            if (work != null) {
                Job<T> job = work.jobs.poll();
                if (job != null) {
                    queued--;
                    if (job.behindKey()) {
                        metrics.waitedBehindKey(processor.ticker().nanos() - job.readAt());
                    }
                    return begin(job, lane);
                }
                release(lane);
            }
            KeyWork waiting = ready.poll();
            if (waiting == null) {
                return null;
            }
            give(lane, waiting);
            wakeLane(); // more keys wait: the next lane is woken from here, not by the dispatcher
        }
    }

    /**
     * Waits, idle, until the lane is woken to take a waiting key; its first delivery, or null
     * when the lane should exit (the partition closed or stopped, or the thread was interrupted).
     * A lane woken for a key another lane took meanwhile goes back to wait.
     */
    private DeliveryInFlight<Job<T>> awaitKey(Lane lane) {
        lock.lock();
        try {
            while (true) {
                if (stopped() || dispatcherDone || Thread.currentThread().isInterrupted()) {
                    return null;
                }
                idle.push(lane);
                while (!lane.woken) {
                    if (stopped() || dispatcherDone) {
                        idle.remove(lane);
                        return null;
                    }
                    lane.assigned.await();
                }
                arrived(lane);
                if (stopped()) {
                    return null;
                }
                DeliveryInFlight<Job<T>> first = next(lane);
                if (first != null) {
                    return first;
                }
            }
        } catch (InterruptedException e) {
            idle.remove(lane);
            return null; // runLane's exit settles the lane's counts
        } finally {
            lock.unlock();
        }
    }

    /** The lane gives up its key: what is queued of it stays pending, for the next owner; holding {@link #lock}. */
    private void release(Lane lane) {
        KeyWork work = lane.work;
        if (work != null) {
            queued -= work.jobs.size();
            busy.remove(work.key);
            work.lane = null;
            lane.work = null;
        }
        lane.flight = null;
    }

    /** Hands the job out on {@code lane}: a delivery at its first try; holding {@link #lock}. */
    private DeliveryInFlight<Job<T>> begin(Job<T> job, Lane lane) {
        Delivery delivery = new Delivery(processor.name(), feed.partition(), List.of(job.event()), 1);
        DeliveryInFlight<Job<T>> flight = new DeliveryInFlight<>(job, lane.thread, new Holding(delivery, processor.ticker().nanos()));
        lane.flight = flight;
        metrics.delivered(delivery);
        return flight;
    }

    /**
     * Runs the handler on the flight's event until it succeeds, fails for good, or the
     * partition closes: tries again in place (holding back only this key) while the retry
     * policy allows, and waits out the Redis trouble of the handler's own calls.
     */
    private Outcome deliver(Lane lane, DeliveryInFlight<Job<T>> flight) {
        Job<T> job = flight.job();
        Delivery delivery = flight.holding().delivery();
        int serverRetries = 0;
        List<Middleware> middleware = processor.middleware();
        try {
            return tryUntilSettled(lane, flight, job, delivery, serverRetries, middleware);
        } finally {
            if (flight.holding().delivery().attempt() > 1) {
                MDC.remove("attempt");
            }
        }
    }

    private Outcome tryUntilSettled(Lane lane, DeliveryInFlight<Job<T>> flight, Job<T> job, Delivery delivery,
                                    int serverRetries, List<Middleware> middleware) {
        while (true) {
            if (stopped() || !feed.lease().valid()) {
                // Checked here, on the delivery's own thread, right before the hand-out: a lane
                // started just before a long pause must not hand out under a lease that ran out.
                return Outcome.CUT_SHORT;
            }
            try {
                if (delivery.attempt() == 1) {
                    for (Middleware m : middleware) {
                        m.beforeProcessing(delivery);
                    }
                }
                if (job.undecodable() != null) {
                    throw job.undecodable();
                }
                // A fresh context per try: a retry starts from what the partition committed and completed.
                DeliveryContext context = commit == null ? null : new DeliveryContext(processor, feed.partition(), job.event(), commit);
                handler.handle(job.event(), job.record(), context);
                ProcessingTimeout late = flight.finish();
                if (late != null) {
                    throw late; // it came back after the coordinator gave up on it: a failure
                }
                for (int i = middleware.size() - 1; i >= 0; i--) {
                    middleware.get(i).afterSuccess(delivery);
                }
                lane.context = context;
                return Outcome.SUCCEEDED;
            } catch (Throwable thrown) {
                if (stopped() && PartitionConsumer.isInterruption(thrown)) {
                    return Outcome.CUT_SHORT;
                }
                Throwable error = flight.failure(thrown);
                Duration pause;
                TransportException unserved = PartitionConsumer.serverTrouble(error);
                if (unserved != null) {
                    // Says nothing about the event: no attempt, policy or middleware sees it.
                    pause = functionCalls.failed(unserved);
                    functionCallsFailing = true;
                    serverRetries++;
                } else if (PartitionConsumer.retries(processor, delivery, error, serverRetries)) {
                    pause = PartitionConsumer.retryPause(processor, delivery, serverRetries, error);
                } else {
                    flight.failedWith(error);
                    if (commit != null && !commitCompleted()) {
                        return Outcome.UNRECORDED;
                    }
                    return FinalFailure.record(processor, delivery, error, feed) ? Outcome.FAILED : Outcome.UNRECORDED;
                }
                if (feed.pauseUnlessClosed(pause) || stopping) {
                    return Outcome.CUT_SHORT;
                }
                delivery = new Delivery(processor.name(), feed.partition(), delivery.events(), delivery.attempt() + 1);
                MDC.put("attempt", Integer.toString(delivery.attempt()));
                flight.retry(new Holding(delivery, processor.ticker().nanos()));
            }
        }
    }

    /**
     * Commits what the partition's deliveries completed so far, before a failure is parked,
     * dead-lettered or acknowledged: a key's earlier event that succeeded must not be processed
     * again after its later one was parked (the next owner would park it behind the later one).
     *
     * @return false when the server did not answer (the failure then stays pending, and the partition stops)
     */
    private boolean commitCompleted() {
        lock.lock();
        try {
            completed.handOver(processor.ticker().nanos());
        } finally {
            lock.unlock();
        }
        return FinalFailure.commitBefore(acker, feed.partition());
    }

    /**
     * Records how the flight ended and applies the exception policy, holding {@link #lock};
     * then the lane's next delivery, or null when the lane ends (its key has nothing queued, or
     * the partition closed or stopped: queued events then stay pending for the next owner).
     */
    private DeliveryInFlight<Job<T>> settle(Lane lane, DeliveryInFlight<Job<T>> flight, Outcome outcome) {
        Throwable error = flight.error();
        Delivery delivery = flight.holding().delivery();
        List<String> ids = List.of(flight.job().event().id());
        boolean firstSuccess = false;
        Runnable afterwards = null;
        lock.lock();
        try {
            long now = processor.ticker().nanos();
            switch (outcome) {
                case SUCCEEDED -> {
                    metrics.succeeded(delivery, now - flight.holding().since());
                    parking.processed(delivery.events());
                    completed.add(ids.get(0), lane.context); // its state changes seen by the key's next delivery
                    lane.context = null;
                    firstSuccess = !flowing;
                    flowing = true;
                    if (functionCallsFailing) {
                        functionCallsFailing = false;
                        functionCalls.succeeded();
                    }
                }
                case FAILED -> afterwards = applyPolicy(lane, delivery, ids, error);
                case UNRECORDED -> stop();
                case CUT_SHORT -> {
                }
            }
            lane.flight = null;
            DeliveryInFlight<Job<T>> next = null;
            if (leaseHolds() && outcome != Outcome.CUT_SHORT && !stopped()) {
                next = next(lane);
            } else {
                release(lane);
            }
            changed.signalAll();
            if (completed.due(now) || busy.isEmpty()) {
                completed.handOver(now);
            }
            return next;
        } finally {
            lock.unlock();
            if (firstSuccess) {
                inbox.flowing(feed.lease()); // a write of its own: outside the lock
            }
            if (afterwards != null) {
                afterwards.run();
            }
        }
    }

    /**
     * The exception policy for one event that failed for good, holding {@link #lock}: IGNORE
     * acknowledges it, PARK parks its key (with whatever of the key is queued), HALT and
     * QUARANTINE stop the partition. What must be told outside the lock is returned.
     */
    private Runnable applyPolicy(Lane lane, Delivery failed, List<String> ids, Throwable error) {
        int partition = feed.partition();
        if (error instanceof Misconfigured) {
            FinalFailure.logMisconfigured(processor, error);
            stop();
            return () -> inbox.halt(feed.lease(), ids, error);
        }
        switch (processor.exceptionPolicy()) {
            case HALT -> {
                FinalFailure.logHalt(processor, partition, ids, error);
                stop();
                return () -> inbox.halt(feed.lease(), ids, error);
            }
            case QUARANTINE -> {
                FinalFailure.logQuarantine(processor, partition, ids, error);
                stop();
                return () -> inbox.quarantine(feed.lease(), error);
            }
            case IGNORE -> {
                FinalFailure.logIgnore(processor, partition, ids, error);
                completed.addAll(ids);
            }
            case PARK -> park(lane, failed, error);
        }
        return null;
    }

    /**
     * Parks the failed event's key, then sends what is queued behind it on the lane through
     * parking too (where it is parked after it, in order). The dispatcher admits the key's
     * newer events holding the same lock, so none can pass them.
     */
    private void park(Lane lane, Delivery failed, Throwable error) {
        if (!parking.parkFailed(failed.events(), error, feed::pauseUnlessClosed)) {
            stopAfterLostLease("parking failed events");
            return;
        }
        if (lane.queuedCount() == 0) {
            return;
        }
        ArrayDeque<Job<T>> queue = lane.work.jobs;
        List<Job<T>> jobs = new ArrayList<>(queue);
        List<Event> events = new ArrayList<>(jobs.size());
        jobs.forEach(j -> events.add(j.event()));
        Parking.Admitted admitted = parking.admit(events, feed::pauseUnlessClosed);
        if (admitted == null) {
            stopAfterLostLease("parking events");
            return;
        }
        completed.addAll(admitted.skipped());
        Set<Event> through = Set.copyOf(admitted.events());
        queued -= queue.size();
        queue.clear();
        for (Job<T> j : jobs) {
            if (through.contains(j.event())) {
                queue.add(j);
                queued++;
            }
        }
    }

    /**
     * Whether the lease is valid, checked before each hand-out as the buffer checks it; if not,
     * the partition stops and the coordinator is told. Holding {@link #lock}.
     */
    private boolean leaseHolds() {
        if (feed.lease().valid()) {
            return true;
        }
        boolean first = !stopping;
        stop();
        if (first && !feed.isClosed()) {
            inbox.leaseLost(feed.lease(), "its lease ran out before the heartbeat could renew it");
        }
        return false;
    }

    /** The partition stops taking events; holding {@link #lock}. Wakes the dispatcher wherever it waits. */
    private void stop() {
        if (!stopping) {
            stopping = true;
            changed.signalAll();
            idle.forEach(l -> l.assigned.signal());
            Thread d = dispatcher;
            if (d != null && d != Thread.currentThread()) {
                d.interrupt(); // it may wait in the feed; it clears this interrupt, seeing stopping
            }
        }
    }

    /** A fenced call found the lock no longer held: the coordinator is told, and the partition stops. */
    private void stopAfterLostLease(String doing) {
        stop();
        if (!feed.isClosed()) {
            inbox.leaseLost(feed.lease(), "the server no longer held its lock when " + doing);
        }
    }


    // ------------------------------------------------------- used by the coordinator

    @Override
    public Holding holding() {
        Holding oldest = null;
        for (Lane lane : all) {
            DeliveryInFlight<Job<T>> f = lane.flight;
            if (f == null) {
                continue;
            }
            Holding h = f.holding();
            if (oldest == null || h.since() - oldest.since() < 0) {
                oldest = h;
            }
        }
        return oldest;
    }

    @Override
    public boolean isTimedOut() {
        for (Lane lane : all) {
            DeliveryInFlight<Job<T>> f = lane.flight;
            if (f != null && f.isTimedOut()) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean timeOut(Holding held, ProcessingTimeout timeout, Thread partitionThread) {
        for (Lane lane : all) {
            DeliveryInFlight<Job<T>> f = lane.flight;
            if (f != null && f.holding() == held) {
                return f.timeOut(held, timeout);
            }
        }
        return false;
    }

    @Override
    public Thread threadOf(Holding held, Thread partitionThread) {
        for (Lane lane : all) {
            DeliveryInFlight<Job<T>> f = lane.flight;
            if (f != null && f.holding() == held) {
                return f.thread();
            }
        }
        return partitionThread;
    }

    @Override
    public void wake() {
        lock.lock();
        try {
            changed.signalAll();
            idle.forEach(l -> l.assigned.signal());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean hasExited() {
        return exited.getCount() == 0;
    }

    @Override
    public int inFlight() {
        int n = 0;
        for (Lane lane : all) {
            if (lane.flight != null) {
                n++;
            }
        }
        return n;
    }
}
