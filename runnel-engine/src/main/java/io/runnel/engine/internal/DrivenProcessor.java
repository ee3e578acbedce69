// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.internal;

import io.runnel.engine.CommittedState;
import io.runnel.engine.Stream;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * <b>Not API</b>: the engine's side of {@code io.runnel.test.ProcessorTestDriver} (artifact
 * {@code runnel-test}), which is what tests use. It may change or disappear in any release.
 *
 * <p>One processor of an app whose partitions are all held by the caller, run on the caller's
 * thread by the worker's own partition consumer, with a clock that moves only when told to.
 * It is what the driver needs from the engine's package-private parts; the driver builds the
 * rest on the public API. Open one with {@link DrivenProcessors#open}.
 *
 * @param <T> the record type of the processor's stream
 */
public interface DrivenProcessor<T> extends AutoCloseable {
    /**
     * The processor's stream.
     *
     * @return the stream the processor reads
     */
    Stream<T> stream();

    /**
     * Sends a record to the partition of {@code key}, whatever the record's own key.
     *
     * @param key    the key whose partition receives the record
     * @param record the record
     * @return its event id
     */
    String sendToPartitionOf(Object key, T record);

    /**
     * Runs the partitions one after another until none has anything left to hand out, then
     * sends the acknowledgements.
     *
     * @throws RuntimeException      what a HALT stopped the processor with
     * @throws IllegalStateException if a partition's lock was lost, or the processor never
     *                               became idle
     */
    void runUntilIdle();

    /**
     * Hands out, one at a time, the earliest event not yet processed of each key in turn,
     * then runs until idle.
     *
     * @param keys partition keys, in the order their next events are to be handed out
     * @throws IllegalStateException if a key has no event left to process, and as
     *                               {@link #runUntilIdle()}
     */
    void runInKeyOrder(List<?> keys);

    /**
     * The clock's reading.
     *
     * @return the time now, for the processor and the app's tasks
     */
    Instant now();

    /**
     * Moves the clock forward, running the app's timers and crontabs due on the way, in order.
     *
     * @param duration how far
     * @throws RuntimeException a task's failure
     */
    void advanceTime(Duration duration);

    /**
     * The stream's events the processor acknowledged, per partition in id order.
     *
     * @return their records
     */
    List<T> acked();

    /**
     * The stream's events the processor has not acknowledged, per partition in id order.
     *
     * @return their records
     */
    List<T> pending();

    /**
     * The partitions the processor quarantined; they are no longer run.
     *
     * @return their numbers
     */
    Set<Integer> poisoned();

    /**
     * The processor's committed keyed state {@code name}, entries expiring by the driver's clock.
     *
     * @param name      the state's name
     * @param valueType the type of its values
     * @param <V>       the value type
     * @return the committed state
     */
    <V> CommittedState<V> state(String name, Class<V> valueType);

    /**
     * Every record in a stream of the app, per partition in id order.
     *
     * @param stream the stream
     * @param <U>    its record type
     * @return its records, decoded
     */
    <U> List<U> records(Stream<U> stream);

    /** Sends outstanding acknowledgements and releases the partitions' locks; the app stays open. */
    @Override
    void close();
}
