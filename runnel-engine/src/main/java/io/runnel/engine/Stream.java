// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Hasher;
import io.runnel.api.Misconfigured;
import io.runnel.api.RecordType;
import io.runnel.api.TransportAware;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.ServerOutOfMemory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * A partitioned stream of records of type {@code T}, created by {@link App#stream}. Each
 * partition is a Redis stream {@code __strm:<app>.<stream>.<i>}; a record goes to partition
 * {@code hash(partition key) mod partition count}.
 *
 * <p>Sending is safe from any thread.
 *
 * @param <T> the record type
 */
public final class Stream<T> {
    /** What parking goes by for a stream without a key function: its events park as one key. */
    static final String NO_KEY = "-";

    private final StreamHost app;
    private final String name;
    private final RecordType<T> type;
    private final Function<? super T, ?> partitionKey;
    private final int partitionCount;
    private final Retention retention;
    private final Hasher hasher;
    private final RecordCodec<T> codec;
    private final List<String> keys;
    /** Whether the app runs on a Redis Cluster, where every key of a partition carries its hash tag. */
    private final boolean onCluster;
    private volatile Stream<T> deadLetters;
    private volatile boolean attached;

    Stream(StreamHost app, String name, RecordType<T> type, Function<? super T, ?> partitionKey, int partitionCount,
           Retention retention, Hasher hasher, RecordCodec<T> codec) {
        this.app = app;
        this.name = name;
        this.type = type;
        this.partitionKey = partitionKey;
        this.partitionCount = partitionCount;
        this.retention = retention;
        this.hasher = hasher;
        this.codec = codec;
        this.onCluster = app.onCluster();
        List<String> partitionKeys = new ArrayList<>(partitionCount);
        for (int p = 0; p < partitionCount; p++) {
            partitionKeys.add(Keys.partition(app.name(), name, p) + keyTag(p));
        }
        this.keys = List.copyOf(partitionKeys);
    }

    /**
     * The stream's name.
     *
     * @return the name it was defined with ({@code dead.<name>} for a dead-letter stream)
     */
    public String name() {
        return name;
    }

    /**
     * The stream's record type.
     *
     * @return the description of the record class
     */
    public RecordType<T> recordType() {
        return type;
    }

    /**
     * The stream's number of partitions.
     *
     * @return at least 1
     */
    public int partitionCount() {
        return partitionCount;
    }

    /**
     * How this stream's partitions are trimmed.
     *
     * @return the stream's retention
     */
    public Retention retention() {
        return retention;
    }

    /**
     * What every key of partition {@code partition} ends with: its hash tag on a Redis Cluster
     * (see {@link ClusterLayout}), so that the keys a fenced command combines share a slot;
     * nothing on a single server, where the keys are Python runnel's.
     */
    String keyTag(int partition) {
        return onCluster ? ClusterLayout.partitionTag(app.name(), name, partition, partitionCount) : "";
    }

    /**
     * The Redis key of a partition.
     *
     * @param partition the partition number, from 0 to {@link #partitionCount()} - 1
     * @return the key of the partition's Redis stream
     * @throws IndexOutOfBoundsException if there is no such partition
     */
    public String partitionKey(int partition) {
        return keys.get(partition);
    }

    /**
     * The partition a record is routed to.
     *
     * @param record a record of this stream
     * @return the partition its key hashes to; 0 for a stream without a partition key
     * @throws IllegalArgumentException if the record's partition key is null
     */
    public int partitionOf(T record) {
        if (partitionKey == null) {
            return 0;
        }
        Object key = partitionKey.apply(record);
        if (key == null) {
            throw new IllegalArgumentException("record has a null partition key: " + record);
        }
        return partitionFor(key);
    }

    /** The partition of records whose partition key is {@code key}. */
    int partitionFor(Object key) {
        return hasher.partition(key, partitionCount);
    }

    /**
     * The partition key of an encoded record as text, what parking goes by: its
     * {@code toString()}, or {@value #NO_KEY} for a stream without a key function.
     *
     * @throws RuntimeException when the record cannot be decoded or keyed
     */
    String parkingKey(Map<String, byte[]> fields) {
        if (partitionKey == null) {
            return NO_KEY;
        }
        return keyText(codec().decode(fields));
    }

    /** The partition key of a decoded record as text, as parking and per-key ordering go by it. */
    String keyText(T record) {
        return partitionKey == null ? NO_KEY : String.valueOf(partitionKey.apply(record));
    }

    /** Whether the stream has a partition key function (so its events have keys to order by). */
    boolean keyed() {
        return partitionKey != null;
    }

    /**
     * Sends one record, as {@link #sendAll(List)} does.
     *
     * @param record the record to send
     * @return its stream id
     */
    public String send(T record) {
        return sendAll(List.of(record)).get(0);
    }

    /**
     * Sends one record with an explicit stream id, which must be greater than the
     * partition's last id.
     *
     * @param record the record to send
     * @param id     its stream id, {@code <millis>-<seq>}
     * @return its stream id
     */
    public String send(T record, String id) {
        return sendAll(List.of(record), List.of(id)).get(0);
    }

    /**
     * Sends records in one round trip (pipelined), in order. With {@code send_replicas} set,
     * it returns only once that many replicas of each master written to confirmed the
     * records (Redis WAIT), else fails with {@link io.runnel.api.transport.NotReplicated}
     * after {@code send_replicas_timeout}: the records were appended and may be lost if
     * their master fails now; sending them again may duplicate them.
     *
     * <p>A Redis whose memory is full refuses the send with {@link ServerOutOfMemory}: back
     * off and send again (records the server took before it refused one are sent twice then,
     * at least once as always). Consumers go on draining and retention trimming meanwhile,
     * which frees memory unless a stopped or slow processor's backlog holds it; the
     * exception's message says what to do. The first refusal of an episode is also logged,
     * and every one counted in the app's {@code redis-oom} meter.
     *
     * @param records the records to send, in order; each goes to its key's partition
     * @return their stream ids, in the same order
     */
    public List<String> sendAll(List<? extends T> records) {
        return sendAll(records, null);
    }

    /**
     * Sends records with explicit stream ids in one round trip, as {@link #sendAll(List)} does.
     *
     * @param records the records to send, in order; each goes to its key's partition
     * @param ids     one id per record, or null for server-assigned ids
     * @return their stream ids, in the same order
     */
    public List<String> sendAll(List<? extends T> records, List<String> ids) {
        if (ids != null && ids.size() != records.size()) {
            throw new IllegalArgumentException("got " + records.size() + " records but " + ids.size() + " ids");
        }
        if (records.isEmpty()) {
            return List.of();
        }
        int[] partitions = new int[records.size()];
        for (int i = 0; i < partitions.length; i++) {
            partitions[i] = partitionOf(records.get(i));
        }
        return send(records, ids, partitions);
    }

    /** Sends one record to the partition of {@code key} rather than of its own key. */
    String sendByKey(Object key, T record) {
        return send(List.of(record), null, new int[] {partitionFor(Objects.requireNonNull(key, "key"))}).get(0);
    }

    /**
     * The append that would send {@code record}, to the partition of {@code key} (null: of its
     * own key), with a server-assigned id: what a processor's exactly-once commit appends.
     */
    Append stagedAppend(Object key, T record) {
        int partition = key == null ? partitionOf(record) : partitionFor(key);
        return new Append(keys.get(partition), null, codec().encode(record), retention.sendMaxLength());
    }

    private List<String> send(List<? extends T> records, List<String> ids, int[] partitions) {
        List<Map<String, byte[]>> entries = new ArrayList<>(records.size());
        for (T record : records) {
            entries.add(codec().encode(record));
        }
        List<Instrumentation.SendCompletion> completions = instrumentation(entries, partitions);
        List<Append> appends = new ArrayList<>(records.size());
        for (int i = 0; i < partitions.length; i++) {
            appends.add(new Append(keys.get(partitions[i]), ids == null ? null : ids.get(i),
                    entries.get(i), retention.sendMaxLength()));
        }
        int replicas = app.settings().sendReplicas();
        List<String> sent;
        try {
            sent = replicas == 0 ? app.transport().append(appends)
                    : app.transport().appendDurably(appends, replicas, app.settings().sendReplicasTimeout());
        } catch (RuntimeException error) {
            if (error instanceof ServerOutOfMemory full) {
                app.sendRefusals().refused(full);
            }
            completions.forEach(c -> c.completed(null, error));
            throw error;
        }
        app.sendRefusals().accepted();
        completions.forEach(c -> c.completed(sent, null));
        return sent;
    }

    /**
     * Shows a send's entries to the instrumentation on the classpath (usually none), which may
     * add fields: the entries become copies it can change.
     *
     * @return what to tell when the send is done
     */
    private List<Instrumentation.SendCompletion> instrumentation(List<Map<String, byte[]>> entries, int[] partitions) {
        List<Instrumentation> instrumentation = app.instrumentation();
        if (instrumentation.isEmpty()) {
            return List.of();
        }
        entries.replaceAll(LinkedHashMap::new);
        boolean one = true;
        for (int p : partitions) {
            one &= p == partitions[0];
        }
        Instrumentation.Destination destination = app.destination(name,
                one ? OptionalInt.of(partitions[0]) : OptionalInt.empty());
        List<Instrumentation.SendCompletion> completions = new ArrayList<>(instrumentation.size());
        for (Instrumentation i : instrumentation) {
            Instrumentation.SendCompletion c = i.beforeSend(destination, entries);
            if (c != null) {
                completions.add(c);
            }
        }
        return completions;
    }

    /**
     * The dead-letter stream {@code dead.<name>} of this stream (one partition, same record
     * type and serialization). Failed events are forwarded there, byte for byte, by
     * {@link ProcessorOptions#deadLetters()}, with extra fields {@code dead_failed_at},
     * {@code dead_partition}, {@code dead_id}, {@code dead_processor} and {@code dead_error}.
     *
     * @return the dead-letter stream, defined in the app on the first call
     */
    public Stream<T> deadLetters() {
        Stream<T> dead = deadLetters;
        if (dead == null) {
            synchronized (this) {
                dead = deadLetters;
                if (dead == null) {
                    dead = app.register(new Stream<>(app, "dead." + name, type, null, 1, retention, hasher, codec));
                    deadLetters = dead;
                }
            }
        }
        return dead;
    }

    /**
     * Appends raw fields to one partition (used to forward dead letters without decoding).
     *
     * @return the new entries' ids
     */
    List<String> appendRaw(int partition, List<Map<String, byte[]>> entries) {
        List<Append> appends = rawAppends(partition, entries);
        return appends.isEmpty() ? List.of() : app.transport().append(appends);
    }

    /**
     * Appends raw entries only while {@code fence} holds, all or none.
     *
     * @return whether the fence held (and the entries were appended)
     */
    boolean appendRawFenced(Fence fence, int partition, List<Map<String, byte[]>> entries) {
        List<Append> appends = rawAppends(partition, entries);
        return appends.isEmpty() || app.transport().appendFenced(fence, appends).isPresent();
    }

    private List<Append> rawAppends(int partition, List<Map<String, byte[]>> entries) {
        List<Append> appends = new ArrayList<>(entries.size());
        for (Map<String, byte[]> fields : entries) {
            appends.add(new Append(keys.get(partition), null, new LinkedHashMap<>(fields), retention.sendMaxLength()));
        }
        return appends;
    }

    List<String> keys() {
        return keys;
    }

    /** The codec, with any transport-aware serializer attached to the app's connection first. */
    RecordCodec<T> codec() {
        if (!attached) {
            attachPlugins();
        }
        return codec;
    }

    private synchronized void attachPlugins() {
        if (!attached) {
            if (codec instanceof RecordCodec.Structured<T> structured) {
                for (Object plugin : new Object[] {structured.serializer(), structured.compressor()}) {
                    if (plugin instanceof TransportAware aware) {
                        aware.attach(app.transport(), app.name());
                    }
                }
            }
            attached = true;
        }
    }

    /** The app that defined this stream, as the stream sees it. */
    StreamHost host() {
        return app;
    }

    int partitionOfKey(String key) {
        int dot = key.lastIndexOf('.');
        try {
            return Integer.parseInt(key.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new Misconfigured("not a partition key of stream " + name + ": " + key);
        }
    }

    @Override
    public String toString() {
        return "Stream[" + name + ", " + partitionCount + " partitions, " + type.type().getSimpleName() + "]";
    }
}
