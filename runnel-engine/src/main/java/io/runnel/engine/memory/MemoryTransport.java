// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.StateValue;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportArgs;
import io.runnel.api.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A {@link Transport} that keeps streams, consumer groups and keys in this JVM's memory, so
 * processors, rebalances and failure policies can be tested in one JVM without a Redis
 * server.
 *
 * <p><strong>Not durable, single process only: for tests and demos.</strong> Nothing is
 * written anywhere, everything is lost when the JVM exits, and no other process can see the
 * data. Use a Redis transport for anything else.
 *
 * <p>As far as the engine can tell it behaves like the Redis transports (the transport
 * conformance suite pins this): Redis stream ids, consumer groups with per-consumer pending
 * entries, blocking reads that wake as soon as an entry is appended, PX times to live,
 * owner-checked locks, and Redis's refusals (WRONGTYPE, NOGROUP, ids not above the last
 * one) as {@link TransportException}s carrying Redis's error text. Like them, it lets a
 * call made on an interrupted thread take effect and then fail with a
 * {@link TransportException}, keeping the interrupt. Two deliberate
 * differences: {@code MAXLEN ~} trims to exactly {@code maxLen}, and a batch runs
 * atomically where Redis only pipelines it.
 *
 * <p>Each instance is a <em>handle</em> on a store, as a connection is to a server:
 * <ul>
 *   <li>{@link #create()} makes a new, isolated store;
 *   <li>{@link #newHandle()} opens another handle on the same store;
 *   <li>{@link MemoryTransportProvider} hands out handles on JVM-wide stores named by
 *       {@code memory://name} URLs, so several apps in one JVM share data like several
 *       processes sharing a Redis.
 * </ul>
 * Closing a handle fails every later call on it and ends its blocked reads with a
 * {@link TransportException}; the store, its data and the other handles carry on.
 *
 * <p>Not API: applications reach it through {@code memory://name} URLs only, as a
 * {@link Transport}. Its test hooks ({@link #freeze()}, {@link #flushAll()}, …) are for this
 * package's tests; tests elsewhere reach them through the test-side {@code MemoryHandle}, a
 * subclass, which is why this class is not final.
 */
class MemoryTransport implements Transport {
    private static final AtomicLong ISOLATED_STORES = new AtomicLong();
    private static final String NO_ENTRY = "0-0";

    private final MemoryStore store;
    private final String where;
    private volatile boolean closed;
    /** While set, this handle's commands wait before reaching the store and before answering. */
    private final Object frozenGate = new Object();
    private boolean frozen;

    /**
     * @param where names the store in messages; it must never contain credentials
     */
    MemoryTransport(MemoryStore store, String where) {
        this.store = Objects.requireNonNull(store, "store");
        this.where = Objects.requireNonNull(where, "where");
    }

    /** A new handle on the store of {@code sameStore}, as {@link #newHandle()} opens. */
    MemoryTransport(MemoryTransport sameStore) {
        this(sameStore.store, sameStore.where);
    }

    /**
     * A handle on a new store that nothing else shares.
     *
     * @return the handle, which the caller closes
     */
    static MemoryTransport create() {
        return new MemoryTransport(new MemoryStore(), isolatedName());
    }

    /** Like {@link #create()}, on given clocks, so tests can move time at will. */
    static MemoryTransport create(LongSupplier wallClock, LongSupplier monotonicMillis) {
        return new MemoryTransport(new MemoryStore(wallClock, monotonicMillis), isolatedName());
    }

    /**
     * Another handle on this handle's store, as a second process would connect to the same
     * Redis. Closing either handle leaves the other working. Works even after this handle
     * was closed: the store lives on.
     *
     * @return a new handle, which the caller closes
     */
    MemoryTransport newHandle() {
        return new MemoryTransport(this);
    }

    /**
     * Holds this handle's commands, as a frozen process or a cut network would: commands
     * issued from now on reach the store only after {@link #thaw()}, and replies not yet
     * returned wait for it too. Other handles on the store are unaffected. For tests of what
     * a worker does when it resumes late.
     */
    void freeze() {
        synchronized (frozenGate) {
            frozen = true;
        }
    }

    /** Lets the held commands and replies through, in the order they were waiting. */
    void thaw() {
        synchronized (frozenGate) {
            frozen = false;
            frozenGate.notifyAll();
        }
    }

    private void awaitThawed() {
        synchronized (frozenGate) {
            while (frozen && !closed) {
                try {
                    frozenGate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw interrupted("a frozen command", e);
                }
            }
        }
    }

    /**
     * Number of reads blocked in this store right now, over all its handles: the analogue
     * of Redis's {@code blocked_clients}, for tests that must know a read is really waiting.
     * A diagnostic, so it also answers on a closed handle.
     *
     * @return how many reads wait for entries
     */
    int blockedReads() {
        return store.blockedReads();
    }

    /** Deletes every key of the store (FLUSHALL), for all its handles. */
    void flushAll() {
        ensureOpen();
        store.flushAll();
    }

    /**
     * XTRIM {@code key} MAXLEN {@code maxLen}: drops the oldest entries beyond {@code maxLen},
     * exactly. Not part of the {@link Transport} contract: for tests that take entries away
     * behind the engine's back, as an operator might on Redis.
     */
    void trim(String key, long maxLen) {
        run("XTRIM", keys -> {
            MemoryStream stream = keys.stream(key);
            if (stream != null) {
                stream.trimTo(maxLen);
            }
            return null;
        });
    }

    /** XDEL {@code key id}: like {@link #trim}, for tests that take entries away behind the engine's back. */
    void deleteEntry(String key, String id) {
        run("XDEL", keys -> {
            MemoryStream stream = keys.stream(key);
            if (stream != null) {
                stream.delete(StreamId.parse(id, 0));
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- streams

    @Override
    public List<String> append(List<Append> appends) {
        return run("XADD", keys -> pipeline(appends, append -> appendOne(keys, append).toString()));
    }

    /**
     * Appends, then answers as a server without replicas does: none confirmed. The in-memory
     * store lives and dies with this JVM; no replica can ever hold its entries.
     */
    @Override
    public List<String> appendDurably(List<Append> appends, int replicas, Duration timeout) {
        TransportArgs.requireReplicas(replicas, timeout);
        List<String> ids = append(appends);
        throw new NotReplicated(TransportArgs.notReplicated(appends.size(), 0, replicas, timeout)
                + " (the in-memory transport has no replicas)", 0, ids);
    }

    @Override
    public long length(String key) {
        return run("XLEN", keys -> {
            MemoryStream stream = keys.stream(key);
            return stream == null ? 0L : stream.length();
        });
    }

    @Override
    public List<StreamEntry> range(String key, String start, String end, int count) {
        return run("XRANGE", keys -> {
            StreamId from = StreamId.rangeStart(start);
            StreamId to = StreamId.rangeEnd(end);
            MemoryStream stream = keys.stream(key);
            return stream == null ? List.of() : stream.range(from, to, count);
        });
    }

    @Override
    public String lastId(String key) {
        return run("XREVRANGE", keys -> {
            MemoryStream stream = keys.stream(key);
            return stream == null ? NO_ENTRY : stream.newestId().toString();
        });
    }

    @Override
    public List<StreamEntry> read(String key, String afterId, int count, Duration block) {
        return blockingRead("XREAD", List.of(key), block, StreamReads.read(key, afterId, count));
    }

    @Override
    public void delete(List<String> keys) {
        run("DEL", space -> {
            for (String key : keys) {
                if (space.remove(key) != null) {
                    store.keyChanged(key);
                }
            }
            return null;
        });
    }

    // --------------------------------------------------------- consumer groups

    @Override
    public void createGroup(List<String> keys, String group, String startId) {
        run("XGROUP CREATE", space -> pipeline(keys, key -> {
            MemoryStream stream = space.stream(key);
            StreamId start = startId.equals(StreamReads.LAST_ID)
                    ? (stream == null ? StreamId.MIN : stream.lastId())
                    : StreamId.parse(startId, 0);
            if (stream == null) {
                stream = new MemoryStream();
                space.put(key, stream, 0);
            }
            // An existing group (BUSYGROUP in Redis) keeps its offset and pending entries.
            return stream.createGroup(group, start);
        }));
    }

    @Override
    public void destroyGroup(List<String> keys, String group) {
        run("XGROUP DESTROY", space -> pipeline(keys, key -> {
            MemoryStream stream = space.stream(key);
            boolean destroyed = stream != null && stream.destroyGroup(group);
            if (destroyed) {
                // Reads blocked on the group must fail now, as Redis unblocks them with an error.
                store.keyChanged(key);
            }
            return destroyed;
        }));
    }

    @Override
    public boolean groupExists(String key, String group) {
        return run("group check", keys -> keys.value(key) instanceof MemoryStream stream && stream.group(group) != null);
    }

    @Override
    public Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                                    int count, Duration block) {
        ensureOpen();
        if (idsByKey.isEmpty()) {
            return Map.of();
        }
        // A copy: the caller's map must not change under a read that waits.
        Map<String, String> request = new LinkedHashMap<>(idsByKey);
        // A re-read of pending entries always answers at once in Redis, so only ">" reads block.
        boolean onlyNew = request.values().stream().allMatch(StreamReads.NEW_ENTRIES::equals);
        return blockingRead("XREADGROUP", request.keySet(), onlyNew ? block : null,
                StreamReads.readGroup(group, consumer, request, count));
    }

    @Override
    public void ack(String group, Map<String, List<String>> idsByKey) {
        run("XACK", keys -> pipeline(List.copyOf(idsByKey.entrySet()), request -> {
            if (request.getValue().isEmpty()) {
                return 0;
            }
            List<StreamId> ids = request.getValue().stream().map(id -> StreamId.parse(id, 0)).toList();
            MemoryStream stream = keys.stream(request.getKey());
            ConsumerGroup consumers = stream == null ? null : stream.group(group);
            return consumers == null ? 0 : consumers.ack(ids);
        }));
    }

    @Override
    public long pendingCount(String key, String group) {
        return run("XPENDING", keys -> StreamReads.existingGroup(keys, key, group, "").pendingCount());
    }

    /**
     * {@inheritDoc}
     *
     * <p>The lag is always known here: the entries stored after the last delivered one. (Redis
     * also counts entries trimmed away before they were delivered; this store forgets them.)
     */
    @Override
    public Optional<GroupInfo> groupInfo(String key, String group) {
        return run("group info", keys -> {
            if (!(keys.value(key) instanceof MemoryStream stream) || stream.group(group) == null) {
                return Optional.<GroupInfo>empty();
            }
            ConsumerGroup consumers = stream.group(group);
            StreamId oldest = consumers.oldestPending();
            return Optional.of(new GroupInfo(consumers.pendingCount(),
                    oldest == null ? Optional.empty() : Optional.of(oldest.toString()),
                    consumers.lastDelivered().toString(),
                    OptionalLong.of(stream.entriesAfter(consumers.lastDelivered()).size()),
                    consumers.entriesRead() == null ? OptionalLong.empty() : OptionalLong.of(consumers.entriesRead()),
                    consumers.oldestPendingDeliveries()));
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here every removal is seen as it happens, so losses are exact without Redis's
     * counters: each group counts the entries removed above its last delivered one.
     */
    @Override
    public RetentionResult retain(RetentionPass pass) {
        return run("retention", keys -> {
            if (!(keys.value(pass.key()) instanceof MemoryStream stream)) {
                return RetentionResult.NO_STREAM;
            }
            long trimmed = 0;
            StreamId needed = pass.trimAcked() ? stream.oldestNeeded() : null;
            if (needed != null) {
                trimmed += stream.trimBelow(needed);
            }
            if (!pass.maxAge().isZero()) {
                trimmed += stream.trimBelow(new StreamId(Math.max(0, store.wallMillis() - pass.maxAge().toMillis()), 0));
            }
            if (pass.maxLength() > 0) {
                trimmed += stream.trimTo(pass.maxLength());
            }
            Map<String, String> record = keys.hash(pass.recordKey());
            if (record == null) {
                record = new LinkedHashMap<>();
                keys.put(pass.recordKey(), record, 0);
            }
            List<RetentionResult.GroupRetention> groups = new ArrayList<>();
            for (Map.Entry<String, ConsumerGroup> e : stream.groups().entrySet()) {
                long lostNow = e.getValue().takeLoss();
                long total = Long.parseLong(record.getOrDefault(RetentionPass.lostField(e.getKey()), "0")) + lostNow;
                if (lostNow > 0) {
                    record.put(RetentionPass.lostField(e.getKey()), Long.toString(total));
                }
                groups.add(new RetentionResult.GroupRetention(e.getKey(),
                        stream.entriesAfter(e.getValue().lastDelivered()).size(), lostNow, total));
            }
            StreamId first = stream.oldestId();
            return new RetentionResult(trimmed, stream.length(),
                    first == null ? Optional.empty() : Optional.of(first.toString()), groups);
        });
    }

    @Override
    public Map<String, String> getHash(String key) {
        return run("HGETALL", keys -> {
            Map<String, String> hash = keys.hash(key);
            return hash == null ? Map.of() : Map.copyOf(hash);
        });
    }

    // ------------------------------------------------------------ keys, locks

    @Override
    public Optional<String> get(String key) {
        return run("GET", keys -> Optional.ofNullable(keys.string(key)));
    }

    @Override
    public List<Optional<String>> getAll(List<String> keys) {
        return run("MGET", space -> {
            List<Optional<String>> values = new ArrayList<>(keys.size());
            for (String key : keys) {
                // MGET answers nil for a key of another type instead of failing.
                values.add(space.value(key) instanceof String value ? Optional.of(value) : Optional.empty());
            }
            return Collections.unmodifiableList(values);
        });
    }

    @Override
    public void set(String key, String value, Duration ttl) {
        ensureOpen();
        Objects.requireNonNull(value, "value");
        long ttlMillis = TransportArgs.ttlMillisOrZero(ttl);
        run("SET", keys -> {
            if (keys.put(key, value, ttlMillis) instanceof MemoryStream) {
                store.keyChanged(key);
            }
            return null;
        });
    }

    @Override
    public List<Boolean> setIfAbsent(List<String> keys, String value, Duration ttl) {
        ensureOpen();
        Objects.requireNonNull(value, "value");
        long ttlMillis = TransportArgs.ttlMillisOrZero(ttl);
        return run("SET NX", space -> pipeline(keys, key -> {
            if (space.exists(key)) {
                return false;
            }
            space.put(key, value, ttlMillis);
            return true;
        }));
    }

    @Override
    public List<Boolean> extendIfOwner(List<String> keys, String owner, Duration ttl) {
        ensureOpen();
        long ttlMillis = TransportArgs.ttlMillis(ttl);
        return run("lock extension", space -> pipeline(keys, key -> {
            if (!Objects.equals(space.string(key), owner)) {
                return false;
            }
            space.expire(key, ttlMillis);
            return true;
        }));
    }

    @Override
    public List<Boolean> deleteIfOwner(List<String> keys, String owner) {
        return run("lock release", space -> pipeline(keys, key -> {
            if (!Objects.equals(space.string(key), owner)) {
                return false;
            }
            space.remove(key);
            return true;
        }));
    }

    @Override
    public Optional<Duration> timeToLive(String key) {
        return run("PTTL", keys -> {
            long millis = keys.timeToLiveMillis(key);
            return millis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(millis));
        });
    }

    @Override
    public long increment(String key) {
        return run("INCR", space -> {
            String current = space.string(key);
            long next;
            try {
                next = current == null ? 1 : Math.addExact(Long.parseLong(current), 1);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new RedisError("ERR value is not an integer or out of range");
            }
            space.put(key, Long.toString(next), space.timeToLiveMillis(key) > 0 ? space.timeToLiveMillis(key) : 0);
            return next;
        });
    }

    // ---------------------------------------------------------- fenced commands

    @Override
    public List<Boolean> extendFenced(List<Fence> fences, Duration ttl) {
        ensureOpen();
        long ttlMillis = TransportArgs.ttlMillis(ttl);
        return run("lock extension", space -> pipeline(fences, fence -> {
            if (!holds(space, fence)) {
                return false;
            }
            space.expire(fence.lockKey(), ttlMillis);
            return true;
        }));
    }

    @Override
    public List<Boolean> releaseFenced(List<Fence> fences) {
        return run("lock release", space -> pipeline(fences, fence -> {
            if (!holds(space, fence)) {
                return false;
            }
            space.remove(fence.lockKey());
            return true;
        }));
    }

    @Override
    public List<FencedRead.Result> readGroupFenced(String group, List<FencedRead> reads, int count, Duration block) {
        ensureOpen();
        if (reads.isEmpty()) {
            return List.of();
        }
        String token = FencedRead.commonToken(reads);
        Map<String, String> ids = new LinkedHashMap<>();
        for (FencedRead r : reads) {
            ids.put(r.key(), r.afterId());
        }
        // As on Redis: the read, then (a separate step) the check and the claims.
        Map<String, List<StreamEntry>> read = readGroup(group, token, ids, count, block);
        return run("fenced XREADGROUP", space -> {
            List<FencedRead.Result> results = new ArrayList<>(reads.size());
            for (FencedRead r : reads) {
                if (!holds(space, r.fence())) {
                    results.add(FencedRead.Result.NOT_HELD);
                    continue;
                }
                List<StreamEntry> entries = read.getOrDefault(r.key(), List.of());
                ConsumerGroup consumers = StreamReads.existingGroup(space, r.key(), group, "");
                if (consumers.hasPendingOutside(token)) {
                    List<StreamEntry> all = new ArrayList<>(entries);
                    all.addAll(consumers.claimAllExcept(token, space.stream(r.key())));
                    all.sort((a, b) -> StreamId.parse(a.id(), 0).compareTo(StreamId.parse(b.id(), 0)));
                    entries = all;
                }
                results.add(new FencedRead.Result(true, entries));
            }
            return Collections.unmodifiableList(results);
        });
    }

    @Override
    public List<Boolean> handOverPending(String group, String to, List<FencedRead> streams) {
        return run("pending hand-over", space -> pipeline(streams, s -> {
            if (!holds(space, s.fence())) {
                return false;
            }
            StreamReads.existingGroup(space, s.key(), group, "").handOver(s.fence().token(), to);
            return true;
        }));
    }

    @Override
    public List<Boolean> ackFenced(String group, List<FencedAck> acks) {
        return run("fenced XACK", space -> pipeline(acks, ack -> {
            if (!holds(space, ack.fence())) {
                return false;
            }
            MemoryStream stream = space.stream(ack.key());
            ConsumerGroup consumers = stream == null ? null : stream.group(group);
            if (consumers != null) {
                consumers.ack(ack.ids().stream().map(id -> StreamId.parse(id, 0)).toList());
            }
            return true;
        }));
    }

    @Override
    public Optional<List<String>> appendFenced(Fence fence, List<Append> appends) {
        return run("fenced XADD", space -> {
            if (!holds(space, fence)) {
                return Optional.<List<String>>empty();
            }
            List<String> ids = new ArrayList<>(appends.size());
            for (Append append : appends) {
                ids.add(appendOne(space, append).toString());
            }
            return Optional.of(List.copyOf(ids));
        });
    }

    @Override
    public boolean setFenced(Fence fence, String key, String value) {
        Objects.requireNonNull(value, "value");
        return run("fenced SET", space -> {
            if (!holds(space, fence)) {
                return false;
            }
            if (space.put(key, value, 0) instanceof MemoryStream) {
                store.keyChanged(key);
            }
            return true;
        });
    }

    @Override
    public Optional<List<ParkStep.Outcome>> parkFenced(Fence fence, String group, ParkingKeys keys, List<ParkStep> steps) {
        return run("parking", space -> holds(space, fence)
                ? Optional.of(new MemoryParking(space, this::appendOne).park(group, keys, steps))
                : Optional.<List<ParkStep.Outcome>>empty());
    }

    @Override
    public long releaseParked(ParkingKeys keys, String processor, String key, boolean replay) {
        return run("parked release", space -> new MemoryParking(space, this::appendOne).release(keys, processor, key, replay));
    }

    @Override
    public List<String> appendOnce(String journal, Duration ttl, List<Append> appends, List<String> tokens) {
        if (appends.size() != tokens.size()) {
            throw new IllegalArgumentException(appends.size() + " appends but " + tokens.size() + " tokens");
        }
        long ttlMillis = TransportArgs.ttlMillis(ttl);
        return run("journaled XADD", space -> {
            if (appends.isEmpty()) {
                return List.<String>of();
            }
            List<String> ids = new MemoryParking(space, this::appendOne).appendOnce(journal, appends, tokens);
            space.expire(journal, ttlMillis);
            return ids;
        });
    }

    @Override
    public long deleteEntries(String key, List<String> ids) {
        return run("XDEL", space -> {
            MemoryStream stream = space.stream(key);
            long deleted = 0;
            for (String id : ids) {
                StreamId parsed = StreamId.parse(id, 0);
                if (stream != null && stream.fieldsOf(parsed) != null) {
                    stream.delete(parsed);
                    deleted++;
                }
            }
            return deleted;
        });
    }

    /**
     * As the Redis script does: the fence, then the marker, then every key's type (so a refusal
     * leaves nothing half-written), then the appends, the state writes, the acks and the marker.
     * State values are kept as ISO-8859-1 text, which gives back any bytes unchanged.
     */
    @Override
    public boolean commitFenced(Fence fence, String group, Commit commit) {
        for (Append a : commit.appends()) {
            if (a.id() != null) {
                throw new IllegalArgumentException("a commit appends with server-assigned ids only, not " + a.id());
            }
        }
        return run("commit", space -> {
            if (!holds(space, fence)) {
                return false;
            }
            if (commit.marker().equals(space.string(commit.markerKey()))) {
                return true;
            }
            commit.appends().forEach(a -> space.stream(a.key()));
            // Every key's type checked (space.hash throws WRONGTYPE) before the first write.
            // Expiries are kept as a hash of field -> epoch millis: a sorted set's part here.
            Map<String, Map<String, String>> hashes = new HashMap<>();
            for (Commit.StateWrite w : commit.writes()) {
                hashes.computeIfAbsent(w.key(), space::hash);
            }
            for (Commit.Expiry e : commit.expiries()) {
                hashes.computeIfAbsent(e.key(), space::hash);
            }
            for (Commit.Sweep w : commit.sweeps()) {
                hashes.computeIfAbsent(w.key(), space::hash);
                hashes.computeIfAbsent(w.expiryKey(), space::hash);
            }
            for (Append a : commit.appends()) {
                appendOne(space, a);
            }
            for (Commit.StateWrite w : commit.writes()) {
                setField(space, hashes, w.key(), w.field(),
                        w.value() == null ? null : new String(w.value(), StandardCharsets.ISO_8859_1));
            }
            for (Commit.Expiry e : commit.expiries()) {
                setField(space, hashes, e.key(), e.field(), e.expiresAt() == 0 ? null : Long.toString(e.expiresAt()));
            }
            for (Commit.Sweep w : commit.sweeps()) {
                Map<String, String> expiries = hashes.get(w.expiryKey());
                List<String> due = expiries == null ? List.of() : expiries.entrySet().stream()
                        .filter(e -> Long.parseLong(e.getValue()) <= w.nowMillis()).map(Map.Entry::getKey)
                        .limit(w.limit()).toList();
                for (String field : due) {
                    setField(space, hashes, w.key(), field, null);
                    setField(space, hashes, w.expiryKey(), field, null);
                }
            }
            MemoryStream stream = space.stream(commit.streamKey());
            ConsumerGroup consumers = stream == null ? null : stream.group(group);
            if (consumers != null && !commit.ids().isEmpty()) {
                consumers.ack(commit.ids().stream().map(id -> StreamId.parse(id, 0)).toList());
            }
            space.put(commit.markerKey(), commit.marker(), 0);
            return true;
        });
    }

    /** Sets a field of a hash of a commit (null: deletes it), creating or removing the hash as Redis would. */
    private static void setField(Keyspace space, Map<String, Map<String, String>> hashes, String key, String field,
                                 String value) {
        Map<String, String> hash = hashes.get(key);
        if (value != null) {
            if (hash == null) {
                hash = new HashMap<>();
                hashes.put(key, hash);
                space.put(key, hash, 0);
            }
            hash.put(field, value);
        } else if (hash != null) {
            hash.remove(field);
            if (hash.isEmpty()) {
                space.remove(key);
                hashes.put(key, null);
            }
        }
    }

    @Override
    public List<Optional<StateValue>> stateValues(String key, String expiryKey, List<String> fields, long nowMillis) {
        return run("HMGET", space -> {
            Map<String, String> hash = space.hash(key);
            Map<String, String> expiries = space.hash(expiryKey);
            List<Optional<StateValue>> values = new ArrayList<>(fields.size());
            for (String field : fields) {
                String value = hash == null ? null : hash.get(field);
                String at = expiries == null ? null : expiries.get(field);
                long expiresAt = at == null ? 0 : Long.parseLong(at);
                boolean expired = expiresAt != 0 && expiresAt <= nowMillis;
                values.add(value == null || expired ? Optional.empty()
                        : Optional.of(new StateValue(value.getBytes(StandardCharsets.ISO_8859_1), expiresAt)));
            }
            return Collections.unmodifiableList(values);
        });
    }

    /** As the Redis script does; ids compared as stream ids. */
    @Override
    public long forwardOnce(String marks, String source, String target, long maxLen, List<StreamEntry> entries) {
        return run("forwarding XADD", space -> {
            Map<String, String> recorded = space.hash(marks);
            space.stream(target); // WRONGTYPE before anything is written
            String lastText = recorded == null ? null : recorded.get(source);
            StreamId last = lastText == null ? null : StreamId.parse(lastText, 0);
            long appended = 0;
            for (StreamEntry e : entries) {
                StreamId id = StreamId.parse(e.id(), 0);
                if (last == null || id.compareTo(last) > 0) {
                    appendOne(space, new Append(target, null, e.fields(), maxLen));
                    last = id;
                    appended++;
                }
            }
            if (appended > 0) {
                if (recorded == null) {
                    recorded = new HashMap<>();
                    space.put(marks, recorded, 0);
                }
                recorded.put(source, last.toString());
            }
            return appended;
        });
    }

    @Override
    public List<Optional<byte[]>> hashValues(String key, List<String> fields) {
        return run("HMGET", space -> {
            Map<String, String> hash = space.hash(key);
            List<Optional<byte[]>> values = new ArrayList<>(fields.size());
            for (String field : fields) {
                String value = hash == null ? null : hash.get(field);
                values.add(value == null ? Optional.empty() : Optional.of(value.getBytes(StandardCharsets.ISO_8859_1)));
            }
            return Collections.unmodifiableList(values);
        });
    }

    @Override
    public Map<String, byte[]> hashEntries(String key) {
        return run("HSCAN", space -> {
            Map<String, String> hash = space.hash(key);
            Map<String, byte[]> entries = new LinkedHashMap<>();
            if (hash != null) {
                hash.forEach((field, value) -> entries.put(field, value.getBytes(StandardCharsets.ISO_8859_1)));
            }
            return Collections.unmodifiableMap(entries);
        });
    }

    /** Commits, then fails with {@link NotReplicated}: the in-memory transport has no replicas. */
    @Override
    public boolean commitFencedDurably(Fence fence, String group, Commit commit, int replicas, Duration timeout) {
        TransportArgs.requireReplicas(replicas, timeout);
        if (!commitFenced(fence, group, commit)) {
            return false;
        }
        throw new NotReplicated(TransportArgs.commitNotReplicated(0, replicas, timeout)
                + " (the in-memory transport has no replicas)", 0, List.of());
    }

    /** GET on the lock, compared with the token, as the Redis scripts do. */
    private static boolean holds(Keyspace space, Fence fence) {
        return fence.token().equals(space.string(fence.lockKey()));
    }

    /** Closes this handle only; the store and its other handles are unaffected. */
    @Override
    public void close() {
        closed = true;
        thaw();
        store.wakeReadsOf(this);
    }

    @Override
    public String toString() {
        return "MemoryTransport[" + where + "]";
    }

    // ------------------------------------------------------------------ helpers

    private StreamId appendOne(Keyspace keys, Append append) {
        MemoryStream existing = keys.stream(append.key());
        MemoryStream stream = existing == null ? new MemoryStream() : existing;
        StreamId id = stream.add(append.id(), append.fields(), store.wallMillis());
        // Stored only once the entry is in, so a refused XADD leaves no empty stream behind.
        if (existing == null) {
            keys.put(append.key(), stream, 0);
        }
        if (append.maxLen() > 0) {
            stream.trimTo(append.maxLen());
        }
        store.keyChanged(append.key());
        return id;
    }

    /** Runs one command on the store; Redis-style refusals become {@link TransportException}s. */
    private <T> T run(String operation, Function<Keyspace, T> command) {
        ensureOpen();
        awaitThawed();
        T result;
        try {
            result = store.atomically(command);
            awaitThawed();
        } catch (RedisError e) {
            throw rejected(operation, e);
        }
        failIfInterrupted(operation);
        return result;
    }

    /**
     * An interrupted thread cannot wait for a Redis reply: the Redis transports send the
     * command (so it takes effect) and then fail. Doing the same here keeps tests from
     * passing on code that would break on Redis.
     */
    private void failIfInterrupted(String operation) {
        if (Thread.currentThread().isInterrupted()) {
            throw interrupted(operation, null);
        }
    }

    private TransportException interrupted(String operation, InterruptedException cause) {
        return new TransportException(operation + " was interrupted (" + where + ")", cause);
    }

    /**
     * A read that, while it finds no entries, waits up to {@code block} (null or not
     * positive: not at all) for a change to one of {@code keys} and tries again.
     */
    private <T> T blockingRead(String operation, Collection<String> keys, Duration block,
                               Function<Keyspace, T> attempt) {
        ensureOpen();
        awaitThawed();
        long blockNanos = TimeUnit.MILLISECONDS.toNanos(TransportArgs.blockMillis(block));
        T result;
        try {
            result = store.read(this, keys, blockNanos, this::ensureOpen, attempt, MemoryTransport::hasEntries);
            awaitThawed();
        } catch (RedisError e) {
            throw rejected(operation, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw interrupted(operation, e);
        }
        failIfInterrupted(operation);
        return result;
    }

    private static boolean hasEntries(Object result) {
        return result instanceof Map<?, ?> map ? !map.isEmpty() : !((Collection<?>) result).isEmpty();
    }

    /**
     * Runs a command per item as a Redis pipeline does: every item runs, even after one is
     * refused, and then the first refusal is thrown.
     */
    private static <I, R> List<R> pipeline(Collection<I> items, Function<I, R> command) {
        List<R> results = new ArrayList<>(items.size());
        RedisError refused = null;
        for (I item : items) {
            try {
                results.add(command.apply(item));
            } catch (RedisError e) {
                refused = refused == null ? e : refused;
                results.add(null);
            }
        }
        if (refused != null) {
            throw refused;
        }
        return Collections.unmodifiableList(results);
    }

    private void ensureOpen() {
        if (closed) {
            throw new TransportException("the transport is closed (" + where + ")");
        }
    }

    private TransportException rejected(String operation, RedisError error) {
        return new CommandRejected(operation + " was rejected by " + where + ": " + error.getMessage(),
                CommandRejected.codeOf(error.getMessage()), null);
    }

    private static String isolatedName() {
        return "isolated in-memory store " + ISOLATED_STORES.incrementAndGet();
    }
}
