// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RunnelException;
import io.runnel.api.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A worker process's share of an app: one executor per chosen processor, the app's
 * background tasks, and a seat in the leader election. Any number of workers, in any
 * number of JVMs, share the processors' partitions.
 *
 * <p>Created by {@link App#worker(String...)}; {@link App#run(String...)} runs one until
 * SIGTERM/SIGINT. {@link #stop()} drains: every partition finishes its current iteration
 * within the grace period, acks are flushed, locks released and the departure announced.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final String id = Ids.random();
    private final App app;
    private final List<Processor<?>> processors;
    private final List<Executor> executors = new ArrayList<>();
    private final List<Thread> tasks = new ArrayList<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object leadership = new Object();
    private LeaderElection election;
    private Thread electionThread;

    Worker(App app, List<Processor<?>> processors) {
        this.app = app;
        this.processors = List.copyOf(processors);
    }

    /**
     * This worker's id (in logs and in the leader key).
     *
     * @return the worker's id, unique per worker
     */
    public String id() {
        return id;
    }

    /**
     * Starts the executors, tasks and leader election, and returns; the work goes on in
     * background (virtual) threads.
     *
     * @return this worker
     */
    public Worker start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("worker " + id + " was already started");
        }
        MDC.put("worker", id);
        try {
            Transport transport = app.transport();
            app.startReporting();
            for (Processor<?> p : processors) {
                app.prepare(p);
            }
            election = new LeaderElection(transport, app.name(), id, app.settings().leadershipPollInterval());
            election.poll();
            electionThread = Thread.ofVirtual().name("runnel-leader-election").start(this::electionLoop);
            for (Processor<?> p : processors) {
                Executor e = new Executor(p, transport, app.membership(p), id(), this::fail);
                executors.add(e);
            }
            executors.forEach(Executor::start);
            for (BackgroundTask t : app.tasks()) {
                tasks.add(Thread.ofVirtual().name("runnel-task-" + t.name()).start(() -> runTask(t)));
            }
            log.info("worker started: processors {}, {} background tasks",
                    processors.stream().map(Processor::name).toList(), tasks.size());
        } finally {
            MDC.remove("worker");
        }
        return this;
    }

    /**
     * Stops gracefully and waits until done: partitions finish their current iteration
     * within the grace period, acks are flushed, locks released, departure announced.
     */
    public void stop() {
        if (stopping.compareAndSet(false, true)) {
            shutdown();
        } else {
            awaitQuietly();
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /**
     * Blocks until the worker has stopped.
     *
     * @throws RunnelException carrying the error that stopped it (a HALT policy, a
     *                         {@link io.runnel.api.RebalanceFailed}, …), if any
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public void await() throws InterruptedException {
        stopped.await();
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        } else if (t != null) {
            throw new RunnelException("worker " + id + " stopped with an error: " + t, t);
        }
    }

    /**
     * Waits up to {@code timeout} for the worker to stop; true if it has.
     *
     * @param timeout the longest wait
     * @return true if the worker has stopped, false if the time ran out
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * The error that stopped the worker, if any.
     *
     * @return the error; empty while it runs and after a clean stop
     */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Whether this worker is currently the app's leader.
     *
     * @return true while it holds the app's leadership and is not stopping
     */
    public boolean isLeader() {
        return election != null && election.isLeader() && !stopping.get();
    }

    /**
     * The partitions this worker currently owns (holds the lock of) for a processor.
     *
     * @param processor the name of a processor this worker runs
     * @return the partition numbers, as of now
     * @throws IllegalArgumentException if this worker does not run that processor
     */
    public Set<Integer> ownedPartitions(String processor) {
        return executorOf(processor).ownedPartitions();
    }

    /**
     * The partitions the membership currently assigns to this worker for a processor.
     *
     * @param processor the name of a processor this worker runs
     * @return the partition numbers, as of now
     * @throws IllegalArgumentException if this worker does not run that processor
     */
    public Set<Integer> assignedPartitions(String processor) {
        return executorOf(processor).assignedPartitions();
    }

    /**
     * The partitions of a processor this worker has quarantined after failures.
     *
     * @param processor the name of a processor this worker runs
     * @return the partition numbers, as of now
     * @throws IllegalArgumentException if this worker does not run that processor
     */
    public Set<Integer> poisonedPartitions(String processor) {
        return executorOf(processor).poisonedPartitions();
    }

    /**
     * The partitions of a processor whose current delivery outlived {@code max_processing_time}.
     *
     * @param processor the name of a processor this worker runs
     * @return the partition numbers, as of now
     * @throws IllegalArgumentException if this worker does not run that processor
     */
    public Set<Integer> stuckPartitions(String processor) {
        return executorOf(processor).stuckPartitions();
    }

    // ---------------------------------------------------------------- internals

    /**
     * Stops as if the process had been killed (SIGKILL): nothing is drained, acknowledged,
     * released or announced, so the other workers have to notice the silence and recover.
     * For crash-recovery tests in one JVM, e.g. on the in-memory transport.
     */
    void abandon() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        stopSignal.countDown();
        executors.forEach(Executor::abandon);
        tasks.forEach(Thread::interrupt);
        try {
            for (Executor e : executors) {
                e.awaitFinished(Duration.ofSeconds(10));
            }
            if (electionThread != null) {
                electionThread.join(Duration.ofSeconds(5));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        app.workerStopped(this);
        stopped.countDown();
    }

    /** Stops the worker with an error (HALT, RebalanceFailed…); {@link #await()} rethrows it. */
    void fail(Throwable error) {
        if (failure.compareAndSet(null, error)) {
            log.error("worker {} stops because of an error: {}", id, error.toString());
        }
        if (stopping.compareAndSet(false, true)) {
            // Not on the caller's thread: it may be one of the threads the shutdown waits for.
            Thread.ofVirtual().name("runnel-worker-stop").start(this::shutdown);
        }
    }

    /** Sleeps until {@code deadlineNanos} (System.nanoTime) or the worker stops; true if stopping. */
    boolean pauseUntil(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        return stopSignal.await(Math.max(0, wait), TimeUnit.NANOSECONDS);
    }

    /** Waits until this worker is leader; false if it stops first. */
    boolean awaitLeadership() throws InterruptedException {
        synchronized (leadership) {
            while (!isLeader()) {
                if (stopSignal.getCount() == 0) {
                    return false;
                }
                leadership.wait(250);
            }
            return true;
        }
    }

    private Executor executorOf(String processor) {
        for (Executor e : executors) {
            if (e.processorName().equals(processor)) {
                return e;
            }
        }
        throw new IllegalArgumentException("worker " + id + " does not run processor '" + processor + "'");
    }

    private void electionLoop() {
        MDC.put("worker", id);
        try {
            while (!pauseUntil(System.nanoTime() + app.settings().leadershipPollInterval().toNanos())) {
                election.poll();
                synchronized (leadership) {
                    leadership.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runTask(BackgroundTask task) {
        MDC.put("worker", id);
        try {
            task.run(this);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shutdown() {
        MDC.put("worker", id);
        try {
            log.info("worker stopping");
            stopSignal.countDown();
            executors.forEach(Executor::stop);
            tasks.forEach(Thread::interrupt);
            // Once stop() returns, no task runs any more: wait for the interrupted ones.
            for (Thread t : tasks) {
                try {
                    if (!t.join(Duration.ofSeconds(10))) {
                        log.warn("task thread {} ignores interrupts and is still running", t.getName());
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            for (Executor e : executors) {
                try {
                    // Each drains within its grace period; allow for the last read and the leave.
                    Duration bound = processors.stream().map(p -> p.gracePeriod().plus(p.readTimeout()))
                            .max(Duration::compareTo).orElse(Duration.ZERO).plusSeconds(10);
                    if (!e.awaitFinished(bound)) {
                        log.error("executor of processor {} did not stop within {}", e.processorName(), bound);
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            if (electionThread != null) {
                try {
                    electionThread.join(5_000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            if (election != null) {
                election.resign();
            }
            log.info("worker stopped");
        } finally {
            app.workerStopped(this);
            stopped.countDown();
            MDC.remove("worker");
        }
    }

    private void awaitQuietly() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
