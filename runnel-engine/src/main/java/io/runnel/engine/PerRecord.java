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
    /** The handler of decoded records, or null when {@link #events} handles raw events. */
    private final RecordHandler<? super T> records;
    private final RecordHandler<? super Event> events;

    private PerRecord(RecordHandler<? super T> records, RecordHandler<? super Event> events) {
        this.records = records;
        this.events = events;
    }

    static <T> PerRecord<T> ofRecords(RecordHandler<? super T> handler) {
        return new PerRecord<>(Objects.requireNonNull(handler, "handler"), null);
    }

    static <T> PerRecord<T> ofEvents(RecordHandler<? super Event> handler) {
        return new PerRecord<>(null, Objects.requireNonNull(handler, "handler"));
    }

    @Override
    public void process(Events<T> partition) throws Exception {
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

    /** Handles one event, whose record was decoded already (to find its key). */
    void handle(Event event, T record) throws Exception {
        if (records != null) {
            records.handle(record);
        } else {
            events.handle(event);
        }
    }
}
