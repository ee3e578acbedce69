// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingTimeout;

/**
 * The code that consumes one owned partition on the partition's own thread, as its
 * {@link ConsumerThread} sees it: {@link PartitionConsumer}, which hands out one delivery at a
 * time to the processor function, or {@link KeyedConsumer}, which runs up to
 * {@code max_in_flight} deliveries of different keys at once. Apart from {@link #run()},
 * every method may be called from the coordinator's thread while it runs.
 */
sealed interface PartitionWork extends Runnable permits PartitionConsumer, KeyedConsumer {
    /** The oldest delivery in flight, or null. */
    Holding holding();

    /** Whether a delivery in flight was timed out and its failure not yet handled. */
    boolean isTimedOut();

    /**
     * Fails {@code held} with {@code timeout} and interrupts the thread running it
     * ({@code partitionThread}, or a delivery's own).
     *
     * @return false if {@code held} is no longer in flight
     */
    boolean timeOut(Holding held, ProcessingTimeout timeout, Thread partitionThread);

    /** The thread running {@code held}, for the log of a stuck delivery. */
    Thread threadOf(Holding held, Thread partitionThread);

    /** Wakes the partition's thread if it waits for room (the partition closed). */
    void wake();

    /** Whether {@link #run()} returned, every delivery it started having ended. */
    boolean hasExited();

    /** Deliveries in flight now. */
    int inFlight();
}
