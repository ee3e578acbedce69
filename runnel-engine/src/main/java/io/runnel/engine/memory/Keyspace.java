// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.LongSupplier;

/**
 * The keys and their values (a {@link String} or a {@link MemoryStream}), with times to live
 * that behave like Redis's PX: a key set to live {@code t} ms at time {@code now} is gone once
 * the clock passes {@code now + t}. Expired keys vanish when touched and, so that unread ones
 * do not pile up, whenever {@link #expireDue()} runs. Not thread-safe; {@link MemoryStore}'s
 * lock guards it.
 */
final class Keyspace {
    /** Sentinels of {@link #timeToLiveMillis(String)}, the same numbers PTTL answers. */
    static final long NO_KEY = -2;
    static final long NO_EXPIRY = -1;

    private final LongSupplier clock;
    private final Map<String, Object> values = new HashMap<>();
    private final Map<String, Long> deadlines = new HashMap<>();
    /**
     * Deadlines in time order. Extending a key leaves its old deadline in the queue; such
     * stale deadlines are recognised (they no longer match {@link #deadlines}) and dropped
     * when their time comes, which is cheaper than removing them from the heap.
     */
    private final PriorityQueue<Deadline> queue = new PriorityQueue<>(Comparator.comparingLong(Deadline::at));

    private record Deadline(String key, long at) {
    }

    /** @param clock monotonic milliseconds */
    Keyspace(LongSupplier clock) {
        this.clock = clock;
    }

    /** The value of a live key, or null. */
    Object value(String key) {
        Long deadline = deadlines.get(key);
        if (deadline != null && clock.getAsLong() > deadline) {
            remove(key);
            return null;
        }
        return values.get(key);
    }

    /** The string at {@code key}, or null; a stream there is a WRONGTYPE error, as for GET. */
    String string(String key) {
        Object value = value(key);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw RedisError.wrongType();
    }

    /** The stream at {@code key}, or null; a string there is a WRONGTYPE error. */
    MemoryStream stream(String key) {
        Object value = value(key);
        if (value == null || value instanceof MemoryStream) {
            return (MemoryStream) value;
        }
        throw RedisError.wrongType();
    }

    /** The hash at {@code key}, or null; another type there is a WRONGTYPE error. */
    @SuppressWarnings("unchecked") // only this class's callers put hashes, always of strings
    Map<String, String> hash(String key) {
        Object value = value(key);
        if (value == null || value instanceof Map) {
            return (Map<String, String>) value;
        }
        throw RedisError.wrongType();
    }

    boolean exists(String key) {
        return value(key) != null;
    }

    /**
     * Sets a key, replacing a value of any type and its time to live (as SET does).
     *
     * @param ttlMillis time to live, or {@code <= 0} for none
     * @return the value it replaced, or null
     */
    Object put(String key, Object value, long ttlMillis) {
        Object previous = value(key);
        values.put(key, value);
        deadlines.remove(key);
        if (ttlMillis > 0) {
            expire(key, ttlMillis);
        }
        return previous;
    }

    /** PEXPIRE on a live key. */
    void expire(String key, long ttlMillis) {
        long at = clock.getAsLong() + ttlMillis;
        deadlines.put(key, at);
        queue.add(new Deadline(key, at));
    }

    /** @return the removed value, or null if there was none */
    Object remove(String key) {
        deadlines.remove(key);
        return values.remove(key);
    }

    /** Milliseconds left, or {@link #NO_KEY} / {@link #NO_EXPIRY}, like PTTL. */
    long timeToLiveMillis(String key) {
        if (value(key) == null) {
            return NO_KEY;
        }
        Long deadline = deadlines.get(key);
        return deadline == null ? NO_EXPIRY : Math.max(0, deadline - clock.getAsLong());
    }

    /** Removes every key whose time has passed. */
    void expireDue() {
        long now = clock.getAsLong();
        while (!queue.isEmpty() && now > queue.peek().at()) {
            Deadline due = queue.poll();
            Long current = deadlines.get(due.key());
            if (current != null && current == due.at()) {
                remove(due.key());
            }
        }
    }

    void clear() {
        values.clear();
        deadlines.clear();
        queue.clear();
    }
}
