// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.RecordType;
import io.runnel.api.transport.Append;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@link ProcessingContext} of one try of a delivery: what the handler sends and writes
 * to state, staged until the try ends. {@link #effects()} closes it: a context used after its
 * handler returned fails, so nothing done through it can slip past the commit.
 *
 * <p>Used by the handler's thread only.
 */
final class DeliveryContext implements ProcessingContext {
    private final Processor<?> processor;
    private final int partition;
    private final Event event;
    private final PartitionCommit commit;
    private final boolean exactlyOnce;
    private final List<Append> appends = new ArrayList<>();
    private final Map<String, StagedState<?>> views = new LinkedHashMap<>();
    /** What to do once the try completes: engine bookkeeping that a failed try must not do. */
    private final List<Runnable> onCompletion = new ArrayList<>();
    private boolean closed;

    /**
     * @param event the delivery's event; null for a windowed aggregation's idle clock tick
     */
    DeliveryContext(Processor<?> processor, int partition, Event event, PartitionCommit commit) {
        this.processor = processor;
        this.partition = partition;
        this.event = event;
        this.commit = commit;
        this.exactlyOnce = processor.guarantee() == ProcessingGuarantee.EXACTLY_ONCE;
    }

    /**
     * What a completed try leaves to commit: its sends (under exactly_once) and its state
     * changes, done at {@code atMillis} by the partition's clock (what times to live start from).
     */
    record Effects(List<Append> appends, Map<PartitionStates.Field, byte[]> writes, long atMillis) {
        static final Effects NONE = new Effects(List.of(), Map.of(), 0);
    }

    @Override
    public Event event() {
        return event;
    }

    @Override
    public <R> void send(Stream<R> stream, R record) {
        stage(stream, null, record);
    }

    @Override
    public <R> void send(Stream<R> stream, Object key, R record) {
        stage(stream, Objects.requireNonNull(key, "key"), record);
    }

    private <R> void stage(Stream<R> stream, Object key, R record) {
        ensureOpen();
        Objects.requireNonNull(record, "record");
        if (stream.host() != processor.stream().host()) {
            throw new IllegalArgumentException("stream " + stream.name() + " belongs to another app: a processor's "
                    + "context sends to streams of its own app only");
        }
        if (!exactlyOnce) {
            if (key == null) {
                stream.send(record);
            } else {
                stream.sendByKey(key, record);
            }
            return;
        }
        Append append = stream.stagedAppend(key, record);
        int home = stream.host().transport().hashSlot(processor.lockKey(partition));
        // A commit writes one slot only: a send to another goes through the partition's outbox.
        appends.add(stream.host().transport().hashSlot(append.key()) == home ? append : commit.outbox().carrying(append));
    }

    @Override
    public <V> KeyedState<V> state(String name, Class<V> valueType) {
        if (name != null && name.startsWith("_")) {
            throw new IllegalArgumentException("state name " + name + " is not allowed: names starting with '_' are "
                    + "the engine's own (a windowed aggregation keeps its windows in " + WindowedAggregation.STATE + ")");
        }
        return internalState(name, RecordType.of(Objects.requireNonNull(valueType, "valueType")), null);
    }

    @Override
    public <V> KeyedState<V> state(String name, Class<V> valueType, Duration timeToLive) {
        Objects.requireNonNull(timeToLive, "timeToLive");
        if (timeToLive.toMillis() < 1) {
            throw new IllegalArgumentException("a state's time to live is at least 1 ms, not " + timeToLive);
        }
        if (name != null && name.startsWith("_")) {
            throw new IllegalArgumentException("state name " + name + " is not allowed: names starting with '_' are "
                    + "the engine's own");
        }
        return internalState(name, RecordType.of(Objects.requireNonNull(valueType, "valueType")), timeToLive);
    }

    /** A state of the engine's own, whose name may start with {@code _}, without a time to live. */
    <V> KeyedState<V> internalState(String name, RecordType<V> valueType) {
        return internalState(name, valueType, null);
    }

    private <V> KeyedState<V> internalState(String name, RecordType<V> valueType, Duration timeToLive) {
        ensureOpen();
        StagedState<?> view = views.get(name);
        if (view == null) {
            Keys.checkName("state", name);
        }
        commit.states().timeToLive(name, timeToLive);
        if (view == null) {
            StagedState<V> created = new StagedState<>(name, valueType, commit.states(), this::ensureOpen);
            views.put(name, created);
            return created;
        }
        if (!view.type().type().equals(valueType.type())) {
            throw new IllegalArgumentException("state " + name + " is used with values of " + view.type()
                    + " already, not " + valueType);
        }
        @SuppressWarnings("unchecked") // checked just above
        KeyedState<V> same = (KeyedState<V>) view;
        return same;
    }

    /** Runs {@code action} when the try completes, before its effects are handed on; never if it fails. */
    void afterCompletion(Runnable action) {
        onCompletion.add(action);
    }

    /** Closes the context, the try having completed; what it staged. */
    Effects effects() {
        closed = true;
        onCompletion.forEach(Runnable::run);
        if (appends.isEmpty() && views.isEmpty()) {
            return Effects.NONE;
        }
        Map<PartitionStates.Field, byte[]> writes = new LinkedHashMap<>();
        views.values().forEach(v -> v.stagedInto(writes));
        return new Effects(List.copyOf(appends), writes, commit.states().nowMillis());
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this delivery's context was used after its handler returned: what is done "
                    + "through it must be done while the handler runs");
        }
    }
}
