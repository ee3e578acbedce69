// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;

/**
 * What a per-record processor with a context ({@link ProcessorFunction#eachRecordWithContext})
 * can do besides reading its record: send to streams, and read and change keyed state of its
 * partition. One context per delivery, valid only while the handler runs, on the handler's
 * thread.
 *
 * <p>Under {@link io.runnel.api.ProcessingGuarantee#EXACTLY_ONCE} everything done through the
 * context is staged: nothing reaches Redis while the handler runs. Once the delivery
 * succeeds, its sends, its state changes and its event's acknowledgement commit together, in
 * one script that checks the partition's lease first; if the lease no longer holds, none of
 * it happens, and the next owner processes the event again from the committed state. A try
 * that fails leaves nothing behind: a retry starts afresh, and a failure handled by the
 * exception policy drops what the delivery staged.
 *
 * <p>Under {@link io.runnel.api.ProcessingGuarantee#AT_LEAST_ONCE} (the default) the state
 * changes still commit with the acknowledgement, but {@link #send} sends at once: an event
 * processed again sends again.
 */
public interface ProcessingContext {

    /**
     * The event being processed. Its {@link Event#id()} is unique in its partition and the
     * same on every delivery of the event: the idempotency key for effects outside Runnel.
     *
     * @return the raw event; null only in a windowed aggregation's {@link Windows.Emitter}
     *         called when the worker's clock closed a window of an idle partition
     */
    Event event();

    /**
     * The event's stream id, {@code event().id()}.
     *
     * @return the id, {@code <millis>-<seq>}; null when {@link #event()} is
     */
    default String eventId() {
        Event event = event();
        return event == null ? null : event.id();
    }

    /**
     * Sends a record to a stream of the same app, to the partition of its key.
     *
     * @param stream where to send
     * @param record what to send
     * @param <R>    the stream's record type
     */
    <R> void send(Stream<R> stream, R record);

    /**
     * Sends a record to a stream of the same app, to the partition of {@code key} rather than
     * of the record's own key.
     *
     * @param stream where to send
     * @param key    what chooses the partition, as the stream's key function's result would
     * @param record what to send
     * @param <R>    the stream's record type
     */
    <R> void send(Stream<R> stream, Object key, R record);

    /**
     * The keyed state named {@code name} of this processor's partition: a map from key text to
     * values of {@code valueType}, kept in Redis, encoded by the app's serializer. Reads see
     * what this partition's earlier deliveries wrote, committed or not.
     *
     * @param name      the state's name (letters, digits, {@code _}, {@code -}, {@code .})
     * @param valueType the type of its values
     * @param <V>       the value type
     * @return the state
     */
    <V> KeyedState<V> state(String name, Class<V> valueType);

    /**
     * As {@link #state(String, Class)}, for a state whose entries expire: each entry
     * {@code timeToLive} after the delivery that last wrote it (put, compute, merge) completed,
     * by the worker's clock. An expired entry reads as absent, here and through
     * {@link App#state}, and the partition's commits delete expired entries as they go. Every
     * use of a state must give it the same time to live.
     *
     * @param name       the state's name (letters, digits, {@code _}, {@code -}, {@code .})
     * @param valueType  the type of its values
     * @param timeToLive how long an entry lives after its last write, at least 1 ms
     * @param <V>        the value type
     * @return the state
     */
    <V> KeyedState<V> state(String name, Class<V> valueType, java.time.Duration timeToLive);

    /**
     * A processor's code for one record, with the delivery's context.
     *
     * @param <T> the stream's record type
     */
    @FunctionalInterface
    interface Handler<T> {
        /**
         * Processes one record. Returning completes the delivery: what it did through the
         * context commits with the event's acknowledgement.
         *
         * @param record  the event's record
         * @param context what the delivery can do besides
         * @throws Exception a failure, handled by the processor's retry and exception policies
         */
        void handle(T record, ProcessingContext context) throws Exception;
    }
}
