// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A failure that halted a worker under the HALT policy, as its halt mark recorded it and
 * {@link PartitionStatus#halted()} reports it.
 *
 * <p>An immutable value that only Runnel creates; a later version may add accessors to it, so
 * read it through its methods. Two are equal when every value they hold is.
 */
public final class Halted {
    private final Instant at;
    private final String worker;
    private final List<String> eventIds;
    private final String error;
    private final String message;

    /**
     * Checks the time and copies the event ids.
     *
     * @throws NullPointerException if {@code at} or {@code eventIds} is null
     */
    Halted(Instant at, String worker, List<String> eventIds, String error, String message) {
        this.at = Objects.requireNonNull(at, "at");
        this.worker = worker;
        this.eventIds = List.copyOf(eventIds);
        this.error = error;
        this.message = message;
    }

    /**
     * When the worker halted.
     *
     * @return the time
     */
    public Instant at() {
        return at;
    }

    /**
     * The worker that halted.
     *
     * @return its id
     */
    public String worker() {
        return worker;
    }

    /**
     * The failed delivery's events.
     *
     * @return the ids of its first ten events
     */
    public List<String> eventIds() {
        return eventIds;
    }

    /**
     * The exception's class name.
     *
     * @return the class name
     */
    public String error() {
        return error;
    }

    /**
     * The exception's message.
     *
     * @return the message, cut at 500 characters
     */
    public String message() {
        return message;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Halted h && at.equals(h.at) && Objects.equals(worker, h.worker)
                && eventIds.equals(h.eventIds) && Objects.equals(error, h.error)
                && Objects.equals(message, h.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(at, worker, eventIds, error, message);
    }

    @Override
    public String toString() {
        return "Halted[at=" + at + ", worker=" + worker + ", eventIds=" + eventIds + ", error=" + error
                + ", message=" + message + "]";
    }
}
