// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

/**
 * The user's processing code for one record (or one raw {@link io.runnel.api.Event}) at a
 * time: the per-record form of a processor, made into a {@link ProcessorFunction} by
 * {@link ProcessorFunction#eachRecord} or {@link ProcessorFunction#eachEvent}. The engine
 * calls it once per event, rather than the code looping over {@link Events#records()}.
 *
 * <p>With {@code max_in_flight} above 1 it is called concurrently, on a virtual thread per
 * delivery, for events of different partition keys; the events of one key are still handed
 * to it one after another, in stream order. It must then be safe to call from several
 * threads at once.
 *
 * @param <V> what it handles: the stream's record type, or {@link io.runnel.api.Event}
 */
@FunctionalInterface
public interface RecordHandler<V> {
    /**
     * Processes one event. Returning acknowledges it.
     *
     * @param value the event's record, or the raw event
     * @throws Exception a failure, handled by the processor's retry and exception policies
     */
    void handle(V value) throws Exception;
}
