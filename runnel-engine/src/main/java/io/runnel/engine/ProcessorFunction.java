// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;

/**
 * The user's processing code for one partition. In a worker it runs on its own virtual
 * thread per owned partition and usually loops over {@link Events#records()}; the loop ends
 * when the partition is revoked or the worker stops. (Under {@code ProcessorTestDriver},
 * artifact {@code runnel-test}, it runs on the test's thread and the loop ends when the
 * partition has nothing left; it is called again on the next run.)
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface ProcessorFunction<T> {
    /**
     * Processes a partition's events until they end.
     *
     * @param events the partition's events; iterate one of its views
     * @throws Exception a failure, handled by the processor's retry and exception policies
     */
    void process(Events<T> events) throws Exception;

    /**
     * The per-record form: {@code handler} is called once per record, and the engine loops.
     * With the processor's {@code max_in_flight} above 1 (see
     * {@link ProcessorOptions#maxInFlight(int)}), records of different partition keys are
     * handled concurrently, each on its own virtual thread, while each key's records are
     * still handled one after another, in stream order.
     *
     * @param <T>     the record type
     * @param handler what processes one record
     * @return a processor function to register with {@link App#processor}
     */
    static <T> ProcessorFunction<T> eachRecord(RecordHandler<? super T> handler) {
        return PerRecord.ofRecords(handler);
    }

    /**
     * The per-record form over raw events (partition, id, fields), without deserialization
     * for the handler. Under {@code max_in_flight} above 1 each event is still decoded once,
     * by the engine, to find its partition key.
     *
     * @param <T>     the stream's record type
     * @param handler what processes one raw event
     * @return a processor function to register with {@link App#processor}
     * @see #eachRecord(RecordHandler)
     */
    static <T> ProcessorFunction<T> eachEvent(RecordHandler<? super Event> handler) {
        return PerRecord.ofEvents(handler);
    }

    /**
     * The per-record form with a context: {@code handler} is called once per record with a
     * {@link ProcessingContext} through which it sends to streams and reads and changes keyed
     * state. What it does through the context commits with the event's acknowledgement, and
     * under {@code processing_guarantee} {@code exactly_once} (see
     * {@link ProcessorOptions#processingGuarantee}) its sends do too: each event's effects on
     * Runnel streams and state then happen exactly once. {@code max_in_flight} applies as to
     * {@link #eachRecord(RecordHandler)}.
     *
     * @param <T>     the record type
     * @param handler what processes one record
     * @return a processor function to register with {@link App#processor}
     */
    static <T> ProcessorFunction<T> eachRecordWithContext(ProcessingContext.Handler<? super T> handler) {
        return PerRecord.ofContext(handler);
    }

    /**
     * A windowed aggregation: per partition key and window, {@code aggregator} folds the key's
     * records into an aggregate kept in the partition's keyed state; when the window closes
     * (see {@link Windows}), {@code onClose} gets each key's result with a context to send it
     * through. The aggregates, the results sent and the acknowledgements commit together, so
     * under {@code processing_guarantee} {@code exactly_once} each window's result is sent
     * exactly once. A partition's events are handled one at a time ({@code max_in_flight} 1).
     *
     * <pre>{@code
     * app.processor(orders, "orders-per-minute", o -> o.processingGuarantee(ProcessingGuarantee.EXACTLY_ONCE),
     *         ProcessorFunction.<Order, Long>aggregateWindows(
     *                 Windows.tumbling(Duration.ofMinutes(1)).withGrace(Duration.ofSeconds(5)), Long.class,
     *                 (count, order) -> count == null ? 1L : count + 1,
     *                 (window, context) -> context.send(counts,
     *                         new CustomerCount(window.key(), window.start(), window.value()))));
     * }</pre>
     *
     * @param <T>           the record type
     * @param <A>           the aggregate's type, encoded by the stream's serializer
     * @param windows       the windows
     * @param aggregateType the aggregate's class
     * @param aggregator    adds a record to its key's aggregate in a window
     * @param onClose       what to do with each key's result of a closed window
     * @return a processor function to register with {@link App#processor}
     */
    static <T, A> ProcessorFunction<T> aggregateWindows(Windows windows, Class<A> aggregateType,
                                                       Windows.Aggregator<? super T, A> aggregator,
                                                       Windows.Emitter<A> onClose) {
        return PerRecord.ofWindows(new WindowedAggregation<>(windows, aggregateType, aggregator, onClose));
    }
}
