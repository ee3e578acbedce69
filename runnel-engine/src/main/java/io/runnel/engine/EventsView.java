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

    /**
     * Runs a windowed aggregation over the partition's events, one delivery at a time; while
     * none comes, closes the windows the worker's clock closes.
     */
    void eachWindowed(WindowedAggregation<T, ?> aggregation) throws Exception {
        if (opened) {
            throw new IllegalStateException("a windowed aggregation reads its partition's events once per call");
        }
        opened = true;
        Processor<T> processor = consumer.processor();
        RecordCodec<T> codec = processor.stream().codec();
        WindowedAggregation.Open open = consumer.windows(aggregation);
        long backOff = 0;
        while (true) {
            long wait = aggregation.millisUntilNextClose(open, consumer.wallMillis());
            if (wait >= 0) {
                wait = Math.max(wait, backOff);
            }
            Delivery delivery = wait < 0 ? consumer.next(0, null) : consumer.nextWithin(Duration.ofMillis(wait));
            if (delivery == null) {
                if (consumer.closed()) {
                    return;
                }
                // Only up to what the feed has caught up to: entries appended before then and not
                // read yet could still fall in the windows that the clock says are due.
                long caughtUp = Math.min(consumer.wallMillis(), consumer.caughtUpAt());
                int before = open.windows();
                if (!consumer.tick(context -> aggregation.tick(context, open, caughtUp))) {
                    backOff = FAILED_TICK_RETRY_MILLIS;
                } else {
                    backOff = open.windows() == before ? CATCH_UP_RETRY_MILLIS : 0;
                }
                continue;
            }
            backOff = 0;
            Event event = delivery.events().get(0);
            // Decoded while the delivery is current, so a corrupt event goes to the exception policy.
            T record = codec.decode(event.fields());
            aggregation.handle(processor, record, consumer.contextFor(event), open);
        }
    }

    /** How long an idle partition waits after a clock tick that failed before the next. */
    private static final long FAILED_TICK_RETRY_MILLIS = 1_000;
    /** How long it waits after a tick that closed nothing, its feed not caught up yet. */
    private static final long CATCH_UP_RETRY_MILLIS = 100;

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
