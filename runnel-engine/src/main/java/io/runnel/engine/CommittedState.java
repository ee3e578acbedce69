// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.RecordType;
import io.runnel.api.transport.StateValue;
import io.runnel.api.transport.Transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A processor's keyed state as its partitions last committed it, read from outside the
 * processor (an interactive query): {@link App#state}. It only reads Redis, so any process
 * with the app's definition can use it while workers run; what a partition's deliveries
 * completed and did not commit yet is not seen.
 *
 * <p>A key is looked up in the partition its records go to, so pass it as the stream's key
 * function gives it (a {@code Long} customer id, not its text): the state's own key is its
 * {@code toString()}, as a processor that keys its state by its record's key writes it.
 *
 * @param <V> the value type
 */
public final class CommittedState<V> {
    private final Processor<?> processor;
    private final String name;
    private final RecordType<V> type;
    private final Transport transport;
    /** Epoch millis, for the expiry of entries of a state with a time to live. */
    private final LongSupplier clock;

    CommittedState(Processor<?> processor, String name, Class<V> valueType, Transport transport, LongSupplier clock) {
        if (!processor.usesContext()) {
            throw new Misconfigured("processor " + processor.name() + " keeps no keyed state: only a processor with a "
                    + "context (ProcessorFunction.eachRecordWithContext) does");
        }
        this.processor = processor;
        this.name = Keys.checkName("state", name);
        this.type = RecordType.of(Objects.requireNonNull(valueType, "valueType"));
        this.transport = transport;
        this.clock = clock;
    }

    /**
     * The committed value of {@code key}.
     *
     * @param key the key, as the processor's stream's key function gives it
     * @return its value, or null when the partition committed none (or it expired)
     * @throws io.runnel.api.transport.TransportException when Redis cannot be read
     */
    public V get(Object key) {
        Objects.requireNonNull(key, "key");
        Stream<?> stream = processor.stream();
        int partition = stream.keyed() ? stream.partitionFor(key) : 0;
        Optional<StateValue> stored = transport.stateValues(processor.stateKey(name, partition),
                processor.stateExpiryKey(name, partition), List.of(String.valueOf(key)), clock.getAsLong()).get(0);
        return stored.map(v -> PartitionStates.serializerOf(processor).deserialize(type, v.value())).orElse(null);
    }
}
