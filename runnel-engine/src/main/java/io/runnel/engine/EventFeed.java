// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;

import java.time.Duration;
import java.util.List;

/**
 * Where a {@link PartitionConsumer} takes the events of its partition from, and how it waits.
 * In a worker that is the partition's {@link PartitionBuffer}, filled by the fetcher on other
 * threads; the test driver (artifact {@code runnel-test}) gives the consumer a feed that reads
 * on the caller's thread and ends when nothing is left, so the same consumer code runs there.
 *
 * <p>"Closed" means the consumer must stop: the partition was released, the worker stops, or
 * (for the driver) the partition has nothing more to process now.
 */
interface EventFeed {
    /** The lease the partition is processed under. */
    Lease lease();

    int partition();

    /** The next event if one is at hand, without waiting; null if none is or the feed is closed. */
    Event poll();

    /** The next event, waiting for one; null once the feed is closed. */
    Event next() throws InterruptedException;

    /**
     * The next event, waiting for one up to {@code timeout}; null once the feed is closed or
     * when the time passed (tell them apart by {@link #isClosed()}).
     */
    Event next(Duration timeout) throws InterruptedException;

    /** The worker's clock, epoch milliseconds: what closes the windows of an idle partition. */
    default long wallMillis() {
        return System.currentTimeMillis();
    }

    /**
     * The worker's clock (as {@link #wallMillis()}) when the feed last had every entry appended
     * to the partition before then: an entry not yet handed out was appended later, so its
     * stream id's time is later too (give or take the clocks' difference). Long.MIN_VALUE until
     * then.
     */
    long caughtUpAt();

    /**
     * Up to {@code n} events: waits for the first, then collects until {@code n} are there or
     * {@code within} has passed since the first arrived; empty once the feed is closed.
     */
    List<Event> next(int n, Duration within) throws InterruptedException;

    /** Puts events back at the head, in order, to be handed out again first (a retry in place). */
    void pushBack(List<Event> failed);

    /** Waits until the feed closes or {@code timeout} passes (a retry's backoff); whether it closed. */
    boolean awaitClosed(Duration timeout) throws InterruptedException;

    /**
     * Waits up to {@code pause} for the feed to close (a backoff, or a wait for Redis).
     *
     * @return true if it closed, or the wait was interrupted (the interrupt is kept)
     */
    default boolean pauseUnlessClosed(Duration pause) {
        try {
            return awaitClosed(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Waits until the feed closes. */
    void awaitClosed() throws InterruptedException;

    boolean isClosed();

    /** Whether the feed closed because its lease ended, rather than being closed by its owner. */
    boolean expired();
}
