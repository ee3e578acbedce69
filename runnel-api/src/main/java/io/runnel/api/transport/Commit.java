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

    private Commit(Builder b) {
        this.streamKey = b.streamKey;
        this.markerKey = b.markerKey;
        this.marker = b.marker;
        this.ids = List.copyOf(b.ids);
        this.appends = List.copyOf(b.appends);
        this.writes = List.copyOf(b.writes);
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

    /** Gathers a commit's parts. Not thread-safe. */
    public static final class Builder {
        private final String streamKey;
        private final String markerKey;
        private final String marker;
        private final List<String> ids = new ArrayList<>();
        private final List<Append> appends = new ArrayList<>();
        private final List<StateWrite> writes = new ArrayList<>();

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
         * The commit.
         *
         * @return the commit, immutable
         */
        public Commit build() {
            return new Commit(this);
        }
    }
}
