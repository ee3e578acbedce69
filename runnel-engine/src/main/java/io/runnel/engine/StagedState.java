// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RecordType;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One delivery's view of a keyed state: its own changes first, staged, then the partition's
 * state ({@link PartitionStates}). Values are encoded when written, so a later change of the
 * object put changes nothing. Used by the handler's thread only.
 */
final class StagedState<V> implements KeyedState<V> {
    private final String name;
    private final RecordType<V> type;
    private final PartitionStates states;
    private final Runnable ensureOpen;
    /** This delivery's changes: encoded values, null for a removal. */
    private final Map<String, byte[]> staged = new HashMap<>();

    StagedState(String name, RecordType<V> type, PartitionStates states, Runnable ensureOpen) {
        this.name = name;
        this.type = type;
        this.states = states;
        this.ensureOpen = ensureOpen;
    }

    RecordType<V> type() {
        return type;
    }

    @Override
    public V get(String key) {
        ensureOpen.run();
        Objects.requireNonNull(key, "key");
        byte[] bytes = staged.containsKey(key) ? staged.get(key) : states.read(name, key);
        return bytes == null ? null : states.serializer().deserialize(type, bytes);
    }

    @Override
    public void put(String key, V value) {
        ensureOpen.run();
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value: remove(key) removes a value");
        staged.put(key, states.serializer().serialize(type, value));
    }

    @Override
    public void remove(String key) {
        ensureOpen.run();
        staged.put(Objects.requireNonNull(key, "key"), null);
    }

    /** Adds this delivery's changes to {@code writes}. */
    void stagedInto(Map<PartitionStates.Field, byte[]> writes) {
        staged.forEach((key, value) -> writes.put(new PartitionStates.Field(name, key), value));
    }
}
