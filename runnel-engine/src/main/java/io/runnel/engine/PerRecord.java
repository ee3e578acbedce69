// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;

import java.util.Objects;

/**
 * A processor function in the per-record form: a {@link RecordHandler} the engine calls once
 * per event. One at a time (its {@link #process} is the loop form) unless the processor's
 * {@code max_in_flight} lets a {@link KeyedConsumer} run events of different keys at once.
 */
final class PerRecord<T> implements ProcessorFunction<T> {
    /** The handler of decoded records, or null when {@link #events} or {@link #withContext} handles them. */
    private final RecordHandler<? super T> records;
    private final RecordHandler<? super Event> events;
    private final ProcessingContext.Handler<? super T> withContext;
    /** The windowed aggregation run instead of a handler; null for the other forms. */
    private final WindowedAggregation<T, ?> windowed;

    private PerRecord(RecordHandler<? super T> records, RecordHandler<? super Event> events,
                      ProcessingContext.Handler<? super T> withContext, WindowedAggregation<T, ?> windowed) {
        this.records = records;
        this.events = events;
        this.withContext = withContext;
        this.windowed = windowed;
    }

    static <T> PerRecord<T> ofRecords(RecordHandler<? super T> handler) {
        return new PerRecord<>(Objects.requireNonNull(handler, "handler"), null, null, null);
    }

    static <T> PerRecord<T> ofEvents(RecordHandler<? super Event> handler) {
        return new PerRecord<>(null, Objects.requireNonNull(handler, "handler"), null, null);
    }

    static <T> PerRecord<T> ofContext(ProcessingContext.Handler<? super T> handler) {
        return new PerRecord<>(null, null, Objects.requireNonNull(handler, "handler"), null);
    }

    static <T> PerRecord<T> ofWindows(WindowedAggregation<T, ?> aggregation) {
        return new PerRecord<>(null, null, null, aggregation);
    }

    /** Whether it is a windowed aggregation, which handles a partition's events one at a time. */
    boolean windowed() {
        return windowed != null;
    }

    /**
     * Whether the handler takes a {@link ProcessingContext}: its deliveries then commit what
     * they did with their acks.
     */
    boolean usesContext() {
        return withContext != null || windowed != null;
    }

    @Override
    public void process(Events<T> partition) throws Exception {
        if (windowed != null) {
            ((EventsView<T>) partition).eachWindowed(windowed);
            return;
        }
        if (withContext != null) {
            ((EventsView<T>) partition).eachWithContext(withContext); // only a consumer's own view is ever passed
            return;
        }
        if (records != null) {
            for (T record : partition.records()) {
                records.handle(record);
            }
        } else {
            for (Event event : partition.events()) {
                events.handle(event);
            }
        }
    }

    /**
     * Handles one event, whose record was decoded already (to find its key); {@code context}
     * is null unless {@link #usesContext()}.
     */
    void handle(Event event, T record, ProcessingContext context) throws Exception {
        if (withContext != null) {
            withContext.handle(record, context);
        } else if (records != null) {
            records.handle(record);
        } else {
            events.handle(event);
        }
    }
}
