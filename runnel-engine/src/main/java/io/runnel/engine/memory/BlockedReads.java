// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;

/**
 * The reads currently blocked in a store, indexed by the keys they wait on, so that a change
 * to a key wakes exactly the reads waiting on it instead of every blocked reader. Not
 * thread-safe; it is used under {@link MemoryStore}'s lock, whose conditions the waiters use.
 */
final class BlockedReads {
    private final Map<String, Set<Waiter>> byKey = new HashMap<>();
    private final Set<Waiter> all = new LinkedHashSet<>();

    /**
     * One blocked read: the thread parked on {@code wake}, on behalf of {@code owner}.
     * Identity matters, not value: two reads on the same keys are two waiters.
     */
    static final class Waiter {
        private final Object owner;
        private final Collection<String> keys;
        private final Condition wake;

        Waiter(Object owner, Collection<String> keys, Condition wake) {
            this.owner = owner;
            this.keys = List.copyOf(keys);
            this.wake = wake;
        }

        Object owner() {
            return owner;
        }

        Collection<String> keys() {
            return keys;
        }

        Condition wake() {
            return wake;
        }
    }

    void add(Waiter waiter) {
        all.add(waiter);
        for (String key : waiter.keys()) {
            byKey.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(waiter);
        }
    }

    void remove(Waiter waiter) {
        all.remove(waiter);
        for (String key : waiter.keys()) {
            Set<Waiter> waiting = byKey.get(key);
            if (waiting != null && waiting.remove(waiter) && waiting.isEmpty()) {
                byKey.remove(key);
            }
        }
    }

    /** Wakes the reads waiting on {@code key}; each re-checks what it asked for. */
    void keyChanged(String key) {
        Set<Waiter> waiting = byKey.get(key);
        if (waiting != null) {
            waiting.forEach(waiter -> waiter.wake().signal());
        }
    }

    /** Wakes the reads of one transport handle, which is closing. */
    void wakeOwnedBy(Object owner) {
        List<Waiter> owned = new ArrayList<>();
        for (Waiter waiter : all) {
            if (waiter.owner() == owner) {
                owned.add(waiter);
            }
        }
        owned.forEach(waiter -> waiter.wake().signal());
    }

    void wakeAll() {
        all.forEach(waiter -> waiter.wake().signal());
    }

    int count() {
        return all.size();
    }
}
