// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import java.util.Collection;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The shared state behind one or more {@link MemoryTransport} handles: what a Redis server
 * is to its clients. One lock serialises every command, as Redis's single thread does, so
 * each command (and each batch) is atomic and multi-key reads see one consistent state;
 * commands only touch in-memory maps, so the lock is held for microseconds.
 */
final class MemoryStore {
    private final LongSupplier wallClock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Keyspace keyspace;
    private final BlockedReads blocked = new BlockedReads();

    /**
     * @param wallClock       epoch milliseconds, for stream ids
     * @param monotonicMillis milliseconds that never go back, for times to live
     */
    MemoryStore(LongSupplier wallClock, LongSupplier monotonicMillis) {
        this.wallClock = wallClock;
        this.keyspace = new Keyspace(monotonicMillis);
    }

    /** A store on the system clocks. */
    MemoryStore() {
        this(System::currentTimeMillis, () -> System.nanoTime() / 1_000_000);
    }

    /** Milliseconds since the epoch, for stream ids. */
    long wallMillis() {
        return wallClock.getAsLong();
    }

    /** Runs one command (or batch) with the store to itself. */
    <T> T atomically(Function<Keyspace, T> command) {
        lock.lock();
        try {
            keyspace.expireDue();
            return command.apply(keyspace);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes the blocked reads waiting on {@code key} after it got entries, was deleted,
     * replaced or lost a group. Call it from inside {@link #atomically(Function)}.
     */
    void keyChanged(String key) {
        blocked.keyChanged(key);
    }

    /**
     * A read that may block: runs {@code attempt} and, while its result is not
     * {@code found}, waits (up to {@code blockNanos} in all) for a change to one of
     * {@code keys} and tries again. Checking and waiting happen under the lock, so no
     * append can slip in between them unnoticed.
     *
     * @param owner      the handle reading, whose closing ends the wait
     * @param ensureOpen throws if the handle was closed; run after every wake
     * @return the first result found, or the last empty one when the time is up
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    <T> T read(Object owner, Collection<String> keys, long blockNanos, Runnable ensureOpen,
               Function<Keyspace, T> attempt, Predicate<T> found) throws InterruptedException {
        lock.lock();
        try {
            keyspace.expireDue();
            T result = attempt.apply(keyspace);
            if (found.test(result) || blockNanos <= 0) {
                return result;
            }
            BlockedReads.Waiter waiter = new BlockedReads.Waiter(owner, keys, lock.newCondition());
            blocked.add(waiter);
            try {
                long left = blockNanos;
                while (true) {
                    // Checked after registering: a close either came before (seen here) or will wake us.
                    ensureOpen.run();
                    left = waiter.wake().awaitNanos(left);
                    ensureOpen.run();
                    keyspace.expireDue();
                    result = attempt.apply(keyspace);
                    if (found.test(result) || left <= 0) {
                        return result;
                    }
                }
            } finally {
                blocked.remove(waiter);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every read blocked on behalf of {@code owner}, so it can see it was closed. */
    void wakeReadsOf(Object owner) {
        lock.lock();
        try {
            blocked.wakeOwnedBy(owner);
        } finally {
            lock.unlock();
        }
    }

    /** Number of reads blocked right now, the analogue of Redis's {@code blocked_clients}. */
    int blockedReads() {
        lock.lock();
        try {
            return blocked.count();
        } finally {
            lock.unlock();
        }
    }

    /** FLUSHALL: deletes every key; blocked reads re-check what they asked for. */
    void flushAll() {
        lock.lock();
        try {
            keyspace.clear();
            blocked.wakeAll();
        } finally {
            lock.unlock();
        }
    }
}
