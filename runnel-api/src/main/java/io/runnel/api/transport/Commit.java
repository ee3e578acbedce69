// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Transport#commitFenced} writes in one atomic step for a partition: its
 * completed deliveries' sends, their keyed-state changes and their events' acks, and a
 * marker that makes running the same commit twice (a retry after a lost reply) write it once.
 *
 * <p>Built by the engine with {@link #builder}; immutable once built.
 */
public final class Commit {
    private final String streamKey;
    private final String markerKey;
    private final String marker;
    private final List<String> ids;
    private final List<Append> appends;
    private final List<StateWrite> writes;
    private final List<Expiry> expiries;
    private final List<Sweep> sweeps;

    private Commit(Builder b) {
        this.streamKey = b.streamKey;
        this.markerKey = b.markerKey;
        this.marker = b.marker;
        this.ids = List.copyOf(b.ids);
        this.appends = List.copyOf(b.appends);
        this.writes = List.copyOf(b.writes);
        this.expiries = List.copyOf(b.expiries);
        this.sweeps = List.copyOf(b.sweeps);
    }

    /**
     * A commit of the partition whose stream is {@code streamKey}.
     *
     * @param streamKey the partition's stream, whose entries it acknowledges
     * @param markerKey the key that keeps the partition's last commit marker
     * @param marker    this commit's marker, unique per commit; a commit whose marker the key
     *                  already holds was done, and is not done again
     * @return a builder
     */
    public static Builder builder(String streamKey, String markerKey, String marker) {
        return new Builder(streamKey, markerKey, marker);
    }

    /**
     * The partition's stream.
     *
     * @return its key
     */
    public String streamKey() {
        return streamKey;
    }

    /**
     * The key that keeps the partition's last commit marker.
     *
     * @return its key
     */
    public String markerKey() {
        return markerKey;
    }

    /**
     * This commit's marker.
     *
     * @return the marker
     */
    public String marker() {
        return marker;
    }

    /**
     * The ids of the stream's entries to acknowledge, last.
     *
     * @return the ids, in order
     */
    public List<String> ids() {
        return ids;
    }

    /**
     * The entries to append, first, in order.
     *
     * @return the appends
     */
    public List<Append> appends() {
        return appends;
    }

    /**
     * The state changes to apply after the appends, in order (a later change of the same field wins).
     *
     * @return the changes
     */
    public List<StateWrite> writes() {
        return writes;
    }

    /**
     * When fields of state hashes expire, applied after the {@link #writes()}.
     *
     * @return the expiries, in order
     */
    public List<Expiry> expiries() {
        return expiries;
    }

    /**
     * Deletions of expired fields, done after the {@link #expiries()}.
     *
     * @return the sweeps
     */
    public List<Sweep> sweeps() {
        return sweeps;
    }

    /**
     * Every key the commit writes: the marker's, the appends' streams, the state hashes and
     * the partition's stream; on a Redis Cluster they must share one hash slot.
     *
     * @return the keys, the marker's first, without repeats
     */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        keys.add(markerKey);
        for (Append a : appends) {
            if (!keys.contains(a.key())) {
                keys.add(a.key());
            }
        }
        for (StateWrite w : writes) {
            if (!keys.contains(w.key())) {
                keys.add(w.key());
            }
        }
        for (Expiry e : expiries) {
            if (!keys.contains(e.key())) {
                keys.add(e.key());
            }
        }
        for (Sweep s : sweeps) {
            for (String k : List.of(s.key(), s.expiryKey())) {
                if (!keys.contains(k)) {
                    keys.add(k);
                }
            }
        }
        if (!keys.contains(streamKey)) {
            keys.add(streamKey);
        }
        return keys;
    }

    /**
     * One change of a field of a state hash.
     *
     * @param key   the hash
     * @param field the field
     * @param value its new value, or null to delete it
     */
    public record StateWrite(String key, String field, byte[] value) {
        /**
         * Checks the names.
         *
         * @throws NullPointerException if {@code key} or {@code field} is null
         */
        public StateWrite {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(field, "field");
        }
    }

    /**
     * When a field of a state hash expires: kept in a sorted set beside the hash (member: the
     * field, score: the time), which {@link Sweep}s and {@code Transport.stateValues} read.
     *
     * @param key       the sorted set of the hash's expiries
     * @param field     the field
     * @param expiresAt when it expires, epoch millis; 0 when it no longer expires
     */
    public record Expiry(String key, String field, long expiresAt) {
        /**
         * Checks the names and the time.
         *
         * @throws NullPointerException     if {@code key} or {@code field} is null
         * @throws IllegalArgumentException if {@code expiresAt} is negative
         */
        public Expiry {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(field, "field");
            if (expiresAt < 0) {
                throw new IllegalArgumentException("expiresAt must not be negative, got " + expiresAt);
            }
        }
    }

    /**
     * Deletes up to {@code limit} fields of a state hash that expired at {@code nowMillis} or
     * before, with their expiries.
     *
     * @param key       the hash
     * @param expiryKey the sorted set of its expiries
     * @param nowMillis the time to compare with, epoch millis
     * @param limit     the most fields deleted, at least 1
     */
    public record Sweep(String key, String expiryKey, long nowMillis, int limit) {
        /**
         * Checks the names and the limit.
         *
         * @throws NullPointerException     if a key is null
         * @throws IllegalArgumentException if {@code limit} is below 1
         */
        public Sweep {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(expiryKey, "expiryKey");
            if (limit < 1) {
                throw new IllegalArgumentException("a sweep deletes at least 1 field, not " + limit);
            }
        }
    }

    /** Gathers a commit's parts. Not thread-safe. */
    public static final class Builder {
        private final String streamKey;
        private final String markerKey;
        private final String marker;
        private final List<String> ids = new ArrayList<>();
        private final List<Append> appends = new ArrayList<>();
        private final List<StateWrite> writes = new ArrayList<>();
        private final List<Expiry> expiries = new ArrayList<>();
        private final List<Sweep> sweeps = new ArrayList<>();

        private Builder(String streamKey, String markerKey, String marker) {
            this.streamKey = Objects.requireNonNull(streamKey, "streamKey");
            this.markerKey = Objects.requireNonNull(markerKey, "markerKey");
            this.marker = Objects.requireNonNull(marker, "marker");
        }

        /**
         * Adds entries to acknowledge.
         *
         * @param more their ids
         * @return this builder
         */
        public Builder ack(List<String> more) {
            ids.addAll(more);
            return this;
        }

        /**
         * Adds entries to append.
         *
         * @param more the appends, in order
         * @return this builder
         */
        public Builder append(List<Append> more) {
            appends.addAll(more);
            return this;
        }

        /**
         * Adds state changes.
         *
         * @param more the changes, in order
         * @return this builder
         */
        public Builder write(List<StateWrite> more) {
            writes.addAll(more);
            return this;
        }

        /**
         * Adds expiries of state fields.
         *
         * @param more the expiries, in order
         * @return this builder
         */
        public Builder expire(List<Expiry> more) {
            expiries.addAll(more);
            return this;
        }

        /**
         * Adds sweeps of expired state fields.
         *
         * @param more the sweeps
         * @return this builder
         */
        public Builder sweep(List<Sweep> more) {
            sweeps.addAll(more);
            return this;
        }

        /**
         * The commit.
         *
         * @return the commit, immutable
         */
        public Commit build() {
            return new Commit(this);
        }
    }
}
