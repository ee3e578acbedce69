// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.function.BiFunction;

/**
 * Keyed state of one partition of a processor, as a processor with a context sees it
 * ({@link ProcessingContext#state}): a map from key text to values, kept in a Redis hash in the
 * partition's slot ({@code __state:<app>.<stream>.<processor>.<name>.<partition>}).
 *
 * <p>Changes are staged with the delivery and commit with its acknowledgement. Reads see the
 * delivery's own changes, then those of the partition's earlier deliveries not yet
 * committed, then what Redis holds. A partition's new owner reads what its last owner
 * committed: the state lives in Redis, so nothing is replayed.
 *
 * <p>Only the record's own key is ordered: with {@code max_in_flight} above 1, deliveries of
 * different keys run at once, so a delivery should read and write the state of its own
 * record's key. Values are encoded when written: change a value by putting it again, not by
 * changing the object {@link #get} returned.
 *
 * @param <V> the value type
 */
public interface KeyedState<V> {

    /**
     * The value of {@code key}.
     *
     * @param key the key
     * @return its value, or null when there is none
     */
    V get(String key);

    /**
     * The value of {@code key}, or {@code fallback}.
     *
     * @param key      the key
     * @param fallback what to return when the key has no value
     * @return its value, or {@code fallback}
     */
    default V getOrDefault(String key, V fallback) {
        V value = get(key);
        return value != null ? value : fallback;
    }

    /**
     * Sets the value of {@code key}.
     *
     * @param key   the key
     * @param value its new value, not null
     */
    void put(String key, V value);

    /**
     * Removes {@code key}'s value.
     *
     * @param key the key
     */
    void remove(String key);

    /**
     * Computes {@code key}'s new value from its current one, as {@link java.util.Map#compute}
     * does: a null result removes it.
     *
     * @param key      the key
     * @param function from the key and its value (null when it has none) to the new value
     * @return the new value, or null when it was removed
     */
    default V compute(String key, BiFunction<String, ? super V, ? extends V> function) {
        V value = function.apply(key, get(key));
        if (value == null) {
            remove(key);
        } else {
            put(key, value);
        }
        return value;
    }

    /**
     * Combines {@code key}'s value with {@code value}, as {@link java.util.Map#merge} does:
     * {@code value} when the key has none, else {@code function}'s result (null removes it).
     *
     * @param key      the key
     * @param value    the value to combine
     * @param function from the current value and {@code value} to the new value
     * @return the new value, or null when it was removed
     */
    default V merge(String key, V value, BiFunction<? super V, ? super V, ? extends V> function) {
        return compute(key, (k, old) -> old == null ? value : function.apply(old, value));
    }
}
