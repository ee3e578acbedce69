package io.runnel.engine;

import io.runnel.api.Compressor;
import io.runnel.api.Hasher;
import io.runnel.api.Misconfigured;
import io.runnel.api.Serializer;

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

    /** Approximate maximum entries per partition ({@code MAXLEN ~}); at least 1. */
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
