// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.Misconfigured;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/** The {@link Events} handed to one call of a processor function. */
final class EventsView<T> implements Events<T> {
    private final PartitionConsumer<T> consumer;
    private boolean opened;

    EventsView(PartitionConsumer<T> consumer) {
        this.consumer = consumer;
    }

    @Override
    public int attempt() {
        return consumer.attempt();
    }

    @Override
    public Iterable<T> records() {
        RecordCodec<T> codec = consumer.processor().stream().codec();
        return iterable(0, null, d -> codec.decode(d.events().get(0).fields()));
    }

    @Override
    public Iterable<Event> events() {
        return iterable(0, null, d -> d.events().get(0));
    }

    @Override
    public Batches<T> take(int n, Duration within) {
        consumer.checkBatchWindow(n, within);
        RecordCodec<T> codec = consumer.processor().stream().codec();
        return new Batches<>() {
            @Override
            public Iterable<List<T>> records() {
                return iterable(n, within, d -> {
                    List<T> records = new ArrayList<>(d.events().size());
                    for (Event e : d.events()) {
                        records.add(codec.decode(e.fields()));
                    }
                    return records;
                });
            }

            @Override
            public Iterable<List<Event>> events() {
                return iterable(n, within, Delivery::events);
            }
        };
    }

    /**
     * Runs {@code handler} on each record with the context of its delivery: the per-record form
     * with a context ({@link PerRecord}) run one delivery at a time.
     */
    void eachWithContext(ProcessingContext.Handler<? super T> handler) throws Exception {
        RecordCodec<T> codec = consumer.processor().stream().codec();
        for (Event event : events()) {
            // Decoded while the delivery is current, so a corrupt event goes to the exception policy.
            T record = codec.decode(event.fields());
            handler.handle(record, consumer.contextFor(event));
        }
    }

    @Override
    public int partition() {
        return consumer.partition();
    }

    @Override
    public String processor() {
        return consumer.processor().name();
    }

    private <R> Iterable<R> iterable(int n, Duration within, Function<Delivery, R> view) {
        return () -> {
            if (opened) {
                throw new Misconfigured("processor " + consumer.processor().name()
                        + " iterates its events twice in one call; use one view (records, events or take) per call");
            }
            opened = true;
            return new DeliveryIterator<>(n, within, view);
        };
    }

    /** Blocks in {@code hasNext()} for the next delivery; asking for it completes (acks) the previous one. */
    private final class DeliveryIterator<R> implements Iterator<R> {
        private final int n;
        private final Duration within;
        private final Function<Delivery, R> view;
        private Delivery next;
        private boolean ended;

        DeliveryIterator(int n, Duration within, Function<Delivery, R> view) {
            this.n = n;
            this.within = within;
            this.view = view;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (ended) {
                return false;
            }
            next = consumer.next(n, within);
            ended = next == null;
            return !ended;
        }

        @Override
        public R next() {
            if (!hasNext()) {
                throw new NoSuchElementException("partition " + consumer.partition() + " was released");
            }
            Delivery d = next;
            next = null;
            // Decoding happens here, while the delivery is current, so a corrupt event
            // fails this iteration and goes through the exception policy.
            return view.apply(d);
        }
    }
}
