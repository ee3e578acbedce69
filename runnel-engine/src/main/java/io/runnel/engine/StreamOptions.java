// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Compressor;
import io.runnel.api.Hasher;
import io.runnel.api.Misconfigured;
import io.runnel.api.Serializer;

import java.time.Duration;
import java.util.Objects;

/**
 * Options of one stream, given to {@link App#stream(String, Class, java.util.function.Function, java.util.function.Consumer)}.
 * Anything not set comes from the app's {@code default_*} settings.
 *
 * @param <T> the record type
 */
public final class StreamOptions<T> {
    Integer partitionCount;
    Long partitionSize;
    Retention.Policy retention;
    Long maxPartitionSize;
    Duration maxAge;
    Duration retentionInterval;
    Serializer serializer;
    Compressor compressor;
    Hasher hasher;

    StreamOptions() {
    }

    /** Number of partitions; at least 1. */
    public StreamOptions<T> partitionCount(int count) {
        if (count < 1) {
            throw new Misconfigured("partition_count must be at least 1, got " + count);
        }
        this.partitionCount = count;
        return this;
    }

    /**
     * What the partitions' owners trim besides the limits (see {@link Retention}); default
     * from {@code default_retention}.
     */
    public StreamOptions<T> retention(Retention.Policy policy) {
        this.retention = Objects.requireNonNull(policy, "policy");
        return this;
    }

    /** The most entries a partition keeps, processed or not; 0 for no limit. */
    public StreamOptions<T> maxPartitionSize(long size) {
        if (size < 0) {
            throw new Misconfigured("max_partition_size must not be negative (0: no limit), got " + size);
        }
        this.maxPartitionSize = size;
        return this;
    }

    /** The oldest entry a partition keeps, processed or not; zero for no limit. */
    public StreamOptions<T> maxAge(Duration age) {
        if (age.isNegative()) {
            throw new Misconfigured("max_age must not be negative (0: no limit), got " + age);
        }
        this.maxAge = age;
        return this;
    }

    /** How often a partition's owners trim it; positive. */
    public StreamOptions<T> retentionInterval(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new Misconfigured("retention_interval must be positive, got " + interval);
        }
        this.retentionInterval = interval;
        return this;
    }

    /**
     * Under {@link Retention.Policy#MAXLEN}: the approximate number of entries each send
     * trims its partition to ({@code MAXLEN ~}); at least 1. Ignored under {@code ACKED}.
     */
    public StreamOptions<T> partitionSize(long size) {
        if (size < 1) {
            throw new Misconfigured("partition_size must be at least 1, got " + size);
        }
        this.partitionSize = size;
        return this;
    }

    /** Serializer for structured records. Ignored for primitive records. */
    public StreamOptions<T> serializer(Serializer serializer) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        return this;
    }

    /** Compressor applied after serialization. Ignored for primitive records. */
    public StreamOptions<T> compressor(Compressor compressor) {
        this.compressor = Objects.requireNonNull(compressor, "compressor");
        return this;
    }

    /** Hasher mapping partition keys to partitions. */
    public StreamOptions<T> hasher(Hasher hasher) {
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        return this;
    }
}
