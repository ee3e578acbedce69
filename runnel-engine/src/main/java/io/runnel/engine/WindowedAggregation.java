// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RecordType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A windowed aggregation ({@link ProcessorFunction#aggregateWindows}): per partition key and
 * window, an aggregate kept in the partition's keyed state {@value #STATE}, under the field
 * {@code <window start millis>:<key>}; emitted through the {@link Windows.Emitter} and removed
 * when the window closes. Emissions and removals are staged in the context of the delivery
 * (or idle clock tick) that closed the window, so they commit with its acknowledgement. The
 * partition's watermark is kept in state {@value #MARK_STATE} and commits with them, so a new
 * owner finds late exactly the events its predecessor would have.
 *
 * <p>A partition's events are handled one at a time (the processor's {@code max_in_flight} is
 * 1), so its watermark and the windows it closes depend only on the events, and a new owner
 * repeats exactly what an old one did not commit.
 *
 * @param <T> the record type
 * @param <A> the aggregate's type
 */
final class WindowedAggregation<T, A> {
    /** The keyed state holding the open windows' aggregates. */
    static final String STATE = "_windows";
    /** The keyed state holding the partition's watermark, under {@link #MARK_FIELD}. */
    static final String MARK_STATE = "_watermark";
    static final String MARK_FIELD = "watermark";
    private static final RecordType<Long> MARK_TYPE = RecordType.of(Long.class);

    private final Windows windows;
    private final RecordType<A> type;
    private final Windows.Aggregator<? super T, A> aggregator;
    private final Windows.Emitter<A> emitter;

    WindowedAggregation(Windows windows, Class<A> type, Windows.Aggregator<? super T, A> aggregator,
                        Windows.Emitter<A> emitter) {
        this.windows = Objects.requireNonNull(windows, "windows");
        this.type = RecordType.of(Objects.requireNonNull(type, "type"));
        this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
        this.emitter = Objects.requireNonNull(emitter, "emitter");
    }

    /**
     * The open windows of one owned partition and its watermark, as its committed and completed
     * deliveries left them. Changed only when a delivery (or tick) completes, by the thread of
     * the partition's consumer: what a failed try did is dropped with its context.
     */
    static final class Open {
        /** Keys with an aggregate, by window start. */
        private final TreeMap<Long, Set<String>> keysByStart = new TreeMap<>();
        /** The latest event time handled, or the clock at an idle tick; epoch millis. */
        private long watermark = Long.MIN_VALUE;

        int windows() {
            return keysByStart.size();
        }
    }

    /** The open windows of a partition newly owned, and its watermark: read from its state in Redis (HSCAN). */
    Open load(PartitionStates states) {
        Open open = new Open();
        byte[] mark = states.read(MARK_STATE, MARK_FIELD);
        if (mark != null) {
            open.watermark = states.serializer().deserialize(MARK_TYPE, mark);
        }
        Map<String, byte[]> stored = states.loadAll(STATE);
        for (String field : stored.keySet()) {
            int colon = field.indexOf(':');
            open.keysByStart.computeIfAbsent(Long.parseLong(field.substring(0, colon)), s -> new LinkedHashSet<>())
                    .add(field.substring(colon + 1));
        }
        return open;
    }

    /**
     * How long until the first open window closes by the clock, from {@code nowMillis}; -1
     * when none is open.
     */
    long millisUntilNextClose(Open open, long nowMillis) {
        if (open.keysByStart.isEmpty()) {
            return -1;
        }
        return Math.max(0, windows.closesAt(open.keysByStart.firstKey()) - nowMillis);
    }

    /** Aggregates one record into its windows, after closing those its time closes. */
    void handle(Processor<T> processor, T record, DeliveryContext context, Open open) throws Exception {
        String id = context.eventId();
        long time = Long.parseLong(id.substring(0, id.indexOf('-')));
        long watermark = Math.max(open.watermark, time);
        KeyedState<A> state = context.internalState(STATE, type);
        List<Long> closed = close(state, context, open, watermark);
        String key = processor.stream().keyText(record);
        List<Long> added = new ArrayList<>();
        boolean late = false;
        for (long start : windows.startsOf(time)) {
            if (windows.closesAt(start) <= watermark) {
                late = true;
                continue;
            }
            String field = start + ":" + key;
            A sum = aggregator.add(state.get(field), record);
            state.put(field, Objects.requireNonNull(sum, "the aggregator returned null"));
            added.add(start);
        }
        boolean wasLate = late;
        keepWatermark(context, open, watermark);
        context.afterCompletion(() -> {
            open.watermark = watermark;
            closed.forEach(open.keysByStart::remove);
            added.forEach(start -> open.keysByStart.computeIfAbsent(start, s -> new LinkedHashSet<>()).add(key));
            if (wasLate) {
                processor.metrics().late();
            }
        });
    }

    /**
     * Closes the windows that {@code caughtUpMillis} closes while the partition is idle: the
     * worker's clock when its feed last had every entry appended before then. Stages nothing
     * when no window closes.
     */
    void tick(DeliveryContext context, Open open, long caughtUpMillis) throws Exception {
        long watermark = Math.max(open.watermark, caughtUpMillis);
        List<Long> closed = close(context.internalState(STATE, type), context, open, watermark);
        if (closed.isEmpty()) {
            return;
        }
        keepWatermark(context, open, watermark);
        context.afterCompletion(() -> {
            open.watermark = watermark;
            closed.forEach(open.keysByStart::remove);
        });
    }

    /** Stages the watermark's new value, when it moved. */
    private static void keepWatermark(DeliveryContext context, Open open, long watermark) {
        if (watermark != open.watermark) {
            context.internalState(MARK_STATE, MARK_TYPE).put(MARK_FIELD, watermark);
        }
    }

    /** Emits and removes every window that {@code watermark} closes, earliest first; their starts. */
    private List<Long> close(KeyedState<A> state, DeliveryContext context, Open open, long watermark) throws Exception {
        List<Long> closed = new ArrayList<>();
        for (Map.Entry<Long, Set<String>> window : open.keysByStart.entrySet()) {
            long start = window.getKey();
            if (windows.closesAt(start) > watermark) {
                break;
            }
            Instant from = Instant.ofEpochMilli(start);
            Instant to = from.plus(windows.size());
            for (String key : window.getValue()) {
                String field = start + ":" + key;
                A value = state.get(field);
                if (value != null) {
                    emitter.closed(new Windows.Closed<>(key, from, to, value), context);
                    state.remove(field);
                }
            }
            closed.add(start);
        }
        return closed;
    }
}
