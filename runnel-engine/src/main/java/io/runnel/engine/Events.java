// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;

import java.time.Duration;
import java.util.List;

/**
 * The events of one partition, handed to a {@link ProcessorFunction}. Iteration blocks
 * until the next event arrives and ends when the partition is revoked or the worker stops.
 * A delivery is acknowledged when the loop asks for the next one (at-least-once: a crash
 * mid-iteration means the event is delivered again).
 *
 * <p>Use one of the three views per call of the function.
 *
 * @param <T> the record type
 */
public interface Events<T> {

    /**
     * Records one at a time, deserialized.
     *
     * @return an iterable whose iterator hands out the partition's records as they arrive
     */
    Iterable<T> records();

    /**
     * Raw events one at a time (partition, id, fields), without deserialization.
     *
     * @return an iterable whose iterator hands out the partition's raw events as they arrive
     */
    Iterable<Event> events();

    /**
     * Batches of up to {@code n} events: a batch is handed out when it is full or
     * {@code within} has passed since its first event arrived (never empty).
     *
     * @param n      the most events in one batch, at least 1
     * @param within the longest wait for a batch to fill after its first event (shorter than
     *               the grace period)
     * @return the batches, as records or raw events
     * @throws io.runnel.api.Misconfigured if {@code within} is not shorter than the
     *                                     processor's grace period, or {@code n < 1}
     */
    Batches<T> take(int n, Duration within);

    /**
     * The partition these events come from.
     *
     * @return the partition number
     */
    int partition();

    /**
     * The processor's name.
     *
     * @return the name the processor was registered with
     */
    String processor();

    /**
     * Which try at the events being processed this is: 1, or more while the processor's
     * retry policy tries a failed delivery again in place. Read it inside the loop: it
     * belongs to the delivery last handed out.
     *
     * @return the try number of the current delivery, from 1
     */
    default int attempt() {
        return 1;
    }

    /**
     * Batches of events from {@link Events#take(int, Duration)}; a batch is acknowledged
     * when the loop asks for the next one.
     *
     * @param <T> the record type
     */
    interface Batches<T> {

        /**
         * Batches of deserialized records.
         *
         * @return an iterable whose iterator hands out batches of records as they fill
         */
        Iterable<List<T>> records();

        /**
         * Batches of raw events.
         *
         * @return an iterable whose iterator hands out batches of raw events as they fill
         */
        Iterable<List<Event>> events();
    }
}
