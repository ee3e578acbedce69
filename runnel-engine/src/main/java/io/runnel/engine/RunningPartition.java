// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingTimeout;

/**
 * The coordinator's handle on the consumer of one partition: what it may ask of it and read
 * from it. Every method may be called from the coordinator's thread while the consumer runs
 * on its own.
 */
interface RunningPartition {
    /** Stops handing out events and reading; wakes a waiting consumer. */
    void close();

    /** Closes because the lease ended: buffered events are dropped (they stay pending in the server). */
    void expire();

    /** The oldest delivery in flight, or null. */
    Holding holding();

    /** Deliveries in flight now. */
    int inFlight();

    /** Whether the delivery the function holds was timed out and its failure not yet handled. */
    boolean isTimedOut();

    /**
     * Fails the held delivery with {@code timeout} and interrupts the consumer's thread.
     *
     * @return false if the function no longer holds {@code held}
     */
    boolean timeOut(Holding held, ProcessingTimeout timeout);

    /** Where the thread running {@code held} is now, for the log of a stuck delivery. */
    StackTraceElement[] stackTrace(Holding held);

    /** Interrupts the consumer's thread (a release past its grace period). */
    void interrupt();

    /** Whether the consumer's thread has exited. */
    boolean exited();

    /** Whether a read for this partition is in flight. */
    boolean reading();
}
