// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.Misconfigured;
import io.runnel.api.SerializationException;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writer schemas by fingerprint: cached in the process, and kept in Redis (once the
 * serializer is attached to an app) under {@code __schema:<app>.<fingerprint>} so that any
 * worker can read events written with a schema it has never seen.
 *
 * <p>Entries are content-addressed (the key is the CRC-64-AVRO fingerprint of the value's
 * Parsing Canonical Form), so they never change once written: a writer stores its schema
 * with {@code SET NX} the first time this process writes with it, and a reader that finds a
 * fingerprint missing from its cache fetches it once and keeps it.
 */
final class SchemaStore {
    /** Key prefix; the full key is {@code __schema:<app>.<16 hex digits>}. */
    static final String KEY_PREFIX = "__schema:";

    private static final int FETCH_ATTEMPTS = 3;
    private static final Duration FETCH_BACKOFF = Duration.ofMillis(100);

    private final Map<Long, Schema> schemas = new ConcurrentHashMap<>();
    /** Fingerprints known to be in Redis (written by this process or read from there). */
    private final Map<Long, Boolean> stored = new ConcurrentHashMap<>();
    private volatile Connection connection;

    private record Connection(Transport transport, String app) {
    }

    /**
     * Connects the store to an app's Redis. Attaching again to the same app and transport is a
     * no-op; a store serves one app only.
     */
    synchronized void attach(Transport transport, String app) {
        Connection current = connection;
        if (current == null) {
            connection = new Connection(transport, app);
        } else if (current.transport() != transport || !current.app().equals(app)) {
            throw new Misconfigured("this AvroSerializer is already attached to app " + current.app()
                    + " (its schemas are registered in that app's Redis); give each app its own instance");
        }
    }

    /** Whether {@link #attach} was called. */
    boolean attached() {
        return connection != null;
    }

    /** The key of a fingerprint, or null when not attached. */
    String keyOf(long fingerprint) {
        Connection c = connection;
        return c == null ? null : key(c.app(), fingerprint);
    }

    static String key(String app, long fingerprint) {
        return KEY_PREFIX + app + "." + hex(fingerprint);
    }

    /** A fingerprint as 16 lower-case hex digits (the 64-bit value, most significant digit first). */
    static String hex(long fingerprint) {
        return String.format("%016x", fingerprint);
    }

    /** Caches a schema this process knows (a reader's own) without storing it in Redis. */
    void remember(long fingerprint, Schema schema) {
        schemas.putIfAbsent(fingerprint, schema);
    }

    /**
     * Caches a schema this process writes with and, when attached, stores it in Redis unless
     * this process already did (one {@code SET NX} per schema per process).
     *
     * @throws TransportException if Redis cannot be reached; the next write retries
     */
    void register(long fingerprint, Schema schema) {
        schemas.putIfAbsent(fingerprint, schema);
        Connection c = connection;
        if (c == null || stored.containsKey(fingerprint)) {
            return;
        }
        // computeIfAbsent: concurrent first writes of one schema wait for a single SET NX.
        stored.computeIfAbsent(fingerprint, fp -> {
            c.transport().setIfAbsent(key(c.app(), fp), schema.toString(), null);
            return Boolean.TRUE;
        });
    }

    /**
     * The schema with this fingerprint, from the cache or else from Redis.
     *
     * @return empty when neither has it
     * @throws SerializationException if Redis holds something under the key that is not that schema
     * @throws TransportException     if Redis cannot be reached (after a few attempts)
     */
    Optional<Schema> find(long fingerprint, String typeName) {
        Schema cached = schemas.get(fingerprint);
        if (cached != null) {
            return Optional.of(cached);
        }
        Connection c = connection;
        if (c == null) {
            return Optional.empty();
        }
        String key = key(c.app(), fingerprint);
        Optional<String> json = fetch(c.transport(), key, typeName);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        Schema schema;
        try {
            schema = new Schema.Parser().parse(json.get());
        } catch (RuntimeException e) {
            throw new SerializationException("the Avro schema stored at " + key + " (needed to read " + typeName
                    + ") is not a valid schema: " + e.getClass().getSimpleName(), e);
        }
        long actual = SchemaNormalization.parsingFingerprint64(schema);
        if (actual != fingerprint) {
            throw new SerializationException("the Avro schema stored at " + key + " (needed to read " + typeName
                    + ") has fingerprint " + hex(actual) + ", not " + hex(fingerprint));
        }
        stored.put(fingerprint, Boolean.TRUE);
        Schema previous = schemas.putIfAbsent(fingerprint, schema);
        return Optional.of(previous != null ? previous : schema);
    }

    /** GET with a short retry: the event was just read, so Redis is normally there. */
    private static Optional<String> fetch(Transport transport, String key, String typeName) {
        for (int attempt = 1; ; attempt++) {
            try {
                return transport.get(key);
            } catch (TransportException e) {
                if (attempt >= FETCH_ATTEMPTS) {
                    throw new TransportException("cannot fetch the Avro writer schema " + key + " to read "
                            + typeName + ": " + e.getMessage(), e);
                }
            }
            try {
                Thread.sleep(FETCH_BACKOFF.multipliedBy(attempt));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("interrupted while fetching the Avro writer schema " + key, e);
            }
        }
    }
}
