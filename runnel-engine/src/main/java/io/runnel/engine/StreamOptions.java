// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Compressor;
import io.runnel.api.Hasher;
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
    /** Overrides of the stream-scoped {@code default_*} settings. */
    final Overrides settings = new Overrides(Setting.Scope.STREAM);
    Serializer serializer;
    Compressor compressor;
    Hasher hasher;

    StreamOptions() {
    }

    /**
     * Number of partitions; at least 1.
     *
     * @param count the number of partitions
     * @return these options
     * @throws InvalidSetting if {@code count} is below 1
     */
    public StreamOptions<T> partitionCount(int count) {
        return set(Settings.DEFAULT_PARTITION_COUNT, count);
    }

    /**
     * What the partitions' owners trim besides the limits (see {@link Retention}); default
     * from {@code default_retention}.
     *
     * @param policy {@code ACKED} or {@code MAXLEN}
     * @return these options
     */
    public StreamOptions<T> retention(Retention.Policy policy) {
        return set(Settings.DEFAULT_RETENTION, policy);
    }

    /**
     * The most entries a partition keeps, processed or not; 0 for no limit.
     *
     * @param size the most entries, or 0
     * @return these options
     * @throws InvalidSetting if {@code size} is negative
     */
    public StreamOptions<T> maxPartitionSize(long size) {
        return set(Settings.DEFAULT_MAX_PARTITION_SIZE, size);
    }

    /**
     * The oldest entry a partition keeps, processed or not; zero for no limit.
     *
     * @param age the greatest age, by stream-id time, or zero
     * @return these options
     * @throws InvalidSetting if {@code age} is negative
     */
    public StreamOptions<T> maxAge(Duration age) {
        return set(Settings.DEFAULT_MAX_AGE, age);
    }

    /**
     * How often a partition's owners trim it; positive.
     *
     * @param interval the time between trims
     * @return these options
     * @throws InvalidSetting if {@code interval} is not positive
     */
    public StreamOptions<T> retentionInterval(Duration interval) {
        return set(Settings.DEFAULT_RETENTION_INTERVAL, interval);
    }

    /**
     * Under {@link Retention.Policy#MAXLEN}: the approximate number of entries each send
     * trims its partition to ({@code MAXLEN ~}); at least 1. Ignored under {@code ACKED}.
     *
     * @param size the number of entries
     * @return these options
     * @throws InvalidSetting if {@code size} is below 1
     */
    public StreamOptions<T> partitionSize(long size) {
        return set(Settings.DEFAULT_PARTITION_SIZE, size);
    }

    /**
     * Serializer for structured records. Ignored for primitive records.
     *
     * @param serializer the serializer, instead of the {@code default_serializer} one
     * @return these options
     */
    public StreamOptions<T> serializer(Serializer serializer) {
        this.serializer = Objects.requireNonNull(serializer, "serializer");
        return this;
    }

    /**
     * Compressor applied after serialization. Ignored for primitive records.
     *
     * @param compressor the compressor, instead of the {@code default_compressor} one
     * @return these options
     */
    public StreamOptions<T> compressor(Compressor compressor) {
        this.compressor = Objects.requireNonNull(compressor, "compressor");
        return this;
    }

    /**
     * Hasher mapping partition keys to partitions.
     *
     * @param hasher the hasher, instead of the {@code default_hasher} one; every producer
     *               and consumer of the stream must use the same
     * @return these options
     */
    public StreamOptions<T> hasher(Hasher hasher) {
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        return this;
    }

    /**
     * Overrides a stream-scoped setting by name, without its {@code default_}
     * ({@code partition_count}, {@code partitionCount}; {@code default_partition_count} works
     * too), with a value as the setting reads it ({@code "1h"}, {@code 8}, a
     * {@link Duration}); {@code serializer}, {@code compressor} and {@code hasher} take a
     * plugin's name. The named methods above do the same for each.
     *
     * @param name  the setting's name, with or without {@code default_}, snake_case or camelCase
     * @param value its value, as text or as a value of the setting's type
     * @return these options
     * @throws InvalidSetting when the name is not a stream-scoped setting (naming the nearest
     *                        one) or the value is out of range
     */
    public StreamOptions<T> setting(String name, Object value) {
        settings.put(name, value);
        return this;
    }

    private StreamOptions<T> set(Setting<?> setting, Object value) {
        settings.put(setting, value);
        return this;
    }
}
