// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingTimeout;

/**
 * One delivery a {@link KeyedConsumer}'s lane is running, and its handshake with the
 * coordinator's {@code max_processing_time} check: the coordinator may time it out (and
 * interrupt its thread) only while the handler runs, and the lane, when the handler returns or
 * throws, takes the timeout over as the delivery's failure and clears the interrupt it came
 * with. Both sides change it holding its monitor, so a timeout can never land on the lane's
 * next delivery.
 *
 * @param <J> what is delivered
 */
final class DeliveryInFlight<J> {
    private final J job;
    private final Thread thread;
    private volatile Holding holding;
    /** Set by the coordinator when the delivery outlived max_processing_time. */
    private volatile ProcessingTimeout timedOut;
    /** Whether the handler returned or threw: a timeout can no longer land. Guarded by the monitor. */
    private boolean finished;
    /** Why the delivery failed for good; its lane's own. */
    private Throwable error;

    DeliveryInFlight(J job, Thread thread, Holding holding) {
        this.job = job;
        this.thread = thread;
        this.holding = holding;
    }

    J job() {
        return job;
    }

    Thread thread() {
        return thread;
    }

    /** The delivery and since when its current try runs. */
    Holding holding() {
        return holding;
    }

    /** Whether the coordinator timed it out and the lane has not taken the timeout over yet. */
    boolean isTimedOut() {
        return timedOut != null;
    }

    /** A later try of the delivery begins: {@code next} is handed to the handler now. */
    synchronized void retry(Holding next) {
        holding = next;
        finished = false;
    }

    /** The handler returned: no timeout can land any more; the one that landed meanwhile, if any. */
    synchronized ProcessingTimeout finish() {
        finished = true;
        ProcessingTimeout late = timedOut;
        if (late != null) {
            timedOut = null;
            Thread.interrupted(); // the coordinator's interrupt is spent
        }
        return late;
    }

    /** The handler threw {@code thrown}: the timeout in its place if the coordinator had timed the delivery out. */
    Throwable failure(Throwable thrown) {
        ProcessingTimeout timeout;
        synchronized (this) {
            finished = true;
            timeout = timedOut;
            if (timeout != null) {
                timedOut = null;
                Thread.interrupted();
            }
        }
        if (timeout == null || thrown == timeout) {
            return thrown;
        }
        timeout.initCause(thrown);
        return timeout;
    }

    /**
     * The coordinator's side: fails {@code held} with {@code timeout} and interrupts the
     * lane's thread, if {@code held} is this delivery's current try and its handler still runs.
     */
    synchronized boolean timeOut(Holding held, ProcessingTimeout timeout) {
        if (holding != held || finished || timedOut != null) {
            return false;
        }
        timedOut = timeout;
        thread.interrupt();
        return true;
    }

    Throwable error() {
        return error;
    }

    void failedWith(Throwable error) {
        this.error = error;
    }
}
