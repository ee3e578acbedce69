// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.Serializer;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.StateValue;
import io.runnel.api.transport.Transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The keyed state of one owned partition of a processor with a context, as its deliveries
 * read it: a write-back cache over the partition's state hashes in Redis.
 *
 * <p>An entry is <em>dirty</em> from the moment a delivery that wrote it completes until the
 * commit that carries the write is done; reads see it, so a key's second event sees its first
 * event's change before the commit. Dirty entries are never evicted. A read that misses loads
 * the committed value from Redis (one HMGET) and keeps it, clean; clean entries beyond
 * {@link #CACHE_ENTRIES} are evicted, least recently used first. A new owner starts with an
 * empty cache: it is warmed by the reads, and nothing is replayed.
 *
 * <p>A state with a time to live ({@link ProcessingContext#state(String, Class, Duration)}) keeps
 * when each entry expires: {@code ttl} after the completion of the delivery that last wrote it,
 * by the partition's clock. An expired entry reads as absent, in the cache and in Redis, where
 * its expiry sits in a sorted set beside the hash ({@code __sttl:}); each commit deletes up to
 * {@link #SWEEP_LIMIT} expired entries of each such state.
 *
 * <p>Thread-safe: the partition's lanes read and complete deliveries concurrently, and the
 * acker tells of commits from its own thread; every access to the cache holds this object's
 * monitor, and the Redis read of a miss is made outside it.
 */
final class PartitionStates {
    /** The most clean entries kept per owned partition. */
    static final int CACHE_ENTRIES = 10_000;
    /** The most expired entries of a state one commit deletes. */
    static final int SWEEP_LIMIT = 100;

    private final Processor<?> processor;
    private final int partition;
    private final Transport transport;
    private final Serializer serializer;
    /** Epoch millis: what times to live go by (the worker's clock, or the test driver's). */
    private final LongSupplier clock;
    /** The states with a time to live, by name; guarded by this. */
    private final Map<String, Duration> timesToLive = new LinkedHashMap<>();
    /** Whether any state has a time to live: read without the lock on the completion path. */
    private volatile boolean anyTimeToLive;
    /** The states used without one; guarded by this. */
    private final Set<String> withoutTimeToLive = new HashSet<>();
    /** By state and key, in access order; guarded by this. */
    private final LinkedHashMap<Field, Cached> cache = new LinkedHashMap<>(64, 0.75f, true);
    /** Deliveries completed with state changes, numbered from 1; guarded by this. */
    private long completions;

    /** A key of a state. */
    record Field(String state, String key) {
    }

    /**
     * A value as the cache keeps it: encoded, null when deleted; dirty until commit
     * {@code dirtyUntil}; expiring at {@code expiresAt} (epoch millis; 0: never).
     */
    private record Cached(byte[] value, long dirtyUntil, long expiresAt) {
        /** The value, or null when it expired at {@code now}. */
        byte[] at(long now) {
            return expiresAt != 0 && expiresAt <= now ? null : value;
        }
    }

    PartitionStates(Processor<?> processor, int partition, Transport transport, LongSupplier clock) {
        this.processor = processor;
        this.partition = partition;
        this.transport = transport;
        this.clock = clock;
        Serializer found;
        try {
            found = serializerOf(processor);
        } catch (Misconfigured none) {
            found = null; // fails the first use of state, not a processor that only sends
        }
        this.serializer = found;
    }

    /**
     * The serializer of state values: the processor's stream's, or the app's default one for a
     * stream of primitive records.
     *
     * @throws Misconfigured when there is none
     */
    static Serializer serializerOf(Processor<?> processor) {
        if (processor.stream().codec() instanceof RecordCodec.Structured<?> structured) {
            return structured.serializer();
        }
        String name = processor.stream().host().settings().value(Settings.DEFAULT_SERIALIZER);
        return Plugins.serializer(name).orElseThrow(() -> new Misconfigured("processor " + processor.name()
                + " keeps state, and no serializer is on the classpath to encode its values: add "
                + "io.runnel:runnel-serde-json"));
    }

    /** The serializer of values; fails when there is none. */
    Serializer serializer() {
        return serializer != null ? serializer : serializerOf(processor);
    }

    /** The Redis hash of a state. */
    String hashKey(String state) {
        return processor.stateKey(state, partition);
    }

    /** The sorted set of a state's expiries. */
    private String expiryKey(String state) {
        return processor.stateExpiryKey(state, partition);
    }

    /** The partition's clock, epoch millis. */
    long nowMillis() {
        return clock.getAsLong();
    }

    /**
     * Notes that {@code state} is used with this time to live (null: none).
     *
     * @throws IllegalArgumentException when it was used with another already
     */
    synchronized void timeToLive(String state, Duration ttl) {
        Duration known = timesToLive.get(state);
        boolean seen = known != null || withoutTimeToLive.contains(state);
        if (seen && !Objects.equals(known, ttl)) {
            throw new IllegalArgumentException("state " + state + " is used with " + describe(known)
                    + " already, not " + describe(ttl) + ": every use of a state gives it the same time to live");
        }
        if (ttl != null) {
            timesToLive.put(state, ttl);
            anyTimeToLive = true;
        } else {
            withoutTimeToLive.add(state);
        }
    }

    private static String describe(Duration ttl) {
        return ttl == null ? "no time to live" : "time to live " + ttl;
    }

    /**
     * The value of a key as the partition's earlier deliveries left it: encoded, or null.
     *
     * @throws io.runnel.api.transport.TransportException when a miss cannot be read from Redis
     */
    byte[] read(String state, String key) {
        Field field = new Field(state, key);
        long now = nowMillis();
        synchronized (this) {
            Cached cached = cache.get(field);
            if (cached != null) {
                return cached.at(now);
            }
        }
        Optional<StateValue> stored = transport.stateValues(hashKey(state), expiryKey(state), List.of(key), now).get(0);
        synchronized (this) {
            // A write completed meanwhile (another key's delivery writing this one) is newer.
            Cached cached = cache.computeIfAbsent(field, f -> stored
                    .map(v -> new Cached(v.value(), 0, v.expiresAt())).orElse(new Cached(null, 0, 0)));
            evict();
            return cached.at(now);
        }
    }

    /**
     * Every entry of a state, as the partition's deliveries see it: what Redis holds (read with
     * HSCAN), overlaid with the cache's changes not yet committed. The entries read are cached,
     * clean, up to the bound.
     *
     * @throws io.runnel.api.transport.TransportException when Redis cannot be read
     */
    Map<String, byte[]> loadAll(String state) {
        Map<String, byte[]> stored = transport.hashEntries(hashKey(state));
        Map<String, byte[]> entries = new LinkedHashMap<>(stored);
        synchronized (this) {
            stored.forEach((key, value) -> cache.putIfAbsent(new Field(state, key), new Cached(value, 0, 0)));
            cache.forEach((field, cached) -> {
                if (field.state().equals(state) && cached.dirtyUntil() != 0) {
                    if (cached.value() == null) {
                        entries.remove(field.key());
                    } else {
                        entries.put(field.key(), cached.value());
                    }
                }
            });
            evict();
        }
        return entries;
    }

    /**
     * A delivery completed with these changes (key → encoded value, null to delete): they are
     * what later reads see, dirty until the commit carrying them is done.
     *
     * @return the completion's number, to give {@link #committed} once its commit is done
     */
    synchronized long completed(Map<Field, byte[]> writes, long atMillis) {
        long number = ++completions;
        writes.forEach((field, value) -> cache.put(field, new Cached(value, number, expiresAt(field, value, atMillis))));
        return number;
    }

    /** When a write done at {@code atMillis} expires: 0 for a removal, or in a state without a time to live. */
    private long expiresAt(Field field, byte[] value, long atMillis) {
        Duration ttl = timesToLive.get(field.state());
        return ttl == null || value == null ? 0 : atMillis + ttl.toMillis();
    }

    /** The commit carrying every completion up to {@code number} is done: their entries are clean. */
    synchronized void committed(long number) {
        cache.replaceAll((field, cached) -> cached.dirtyUntil() != 0 && cached.dirtyUntil() <= number
                ? new Cached(cached.value(), 0, cached.expiresAt()) : cached);
        evict();
    }

    /** The changes as a commit writes them. */
    List<Commit.StateWrite> asWrites(Map<Field, byte[]> writes) {
        List<Commit.StateWrite> out = new ArrayList<>(writes.size());
        writes.forEach((field, value) -> out.add(new Commit.StateWrite(hashKey(field.state()), field.key(), value)));
        return out;
    }

    /** The expiries of changes done at {@code atMillis}, of the states with a time to live. */
    List<Commit.Expiry> expiries(Map<Field, byte[]> writes, long atMillis) {
        if (!anyTimeToLive) {
            return List.of(); // the common case: no lock taken per completed delivery
        }
        synchronized (this) {
            return expiriesLocked(writes, atMillis);
        }
    }

    private List<Commit.Expiry> expiriesLocked(Map<Field, byte[]> writes, long atMillis) {
        List<Commit.Expiry> out = new ArrayList<>();
        writes.forEach((field, value) -> {
            if (timesToLive.containsKey(field.state())) {
                out.add(new Commit.Expiry(expiryKey(field.state()), field.key(), expiresAt(field, value, atMillis)));
            }
        });
        return out;
    }

    /** A sweep of each state with a time to live, for a commit going now. */
    List<Commit.Sweep> sweeps() {
        if (!anyTimeToLive) {
            return List.of();
        }
        synchronized (this) {
            return sweepsLocked();
        }
    }

    private List<Commit.Sweep> sweepsLocked() {
        long now = nowMillis();
        List<Commit.Sweep> out = new ArrayList<>(timesToLive.size());
        for (String state : timesToLive.keySet()) {
            out.add(new Commit.Sweep(hashKey(state), expiryKey(state), now, SWEEP_LIMIT));
        }
        return out;
    }

    /** Entries in the cache, dirty or not. */
    synchronized int size() {
        return cache.size();
    }

    /** Evicts clean entries, least recently used first, beyond the bound; holding this. */
    private void evict() {
        int over = cache.size() - CACHE_ENTRIES;
        for (Iterator<Cached> it = cache.values().iterator(); over > 0 && it.hasNext(); ) {
            if (it.next().dirtyUntil() == 0) {
                it.remove();
                over--;
            }
        }
    }
}
