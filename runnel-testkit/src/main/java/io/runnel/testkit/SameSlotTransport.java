// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import io.runnel.api.transport.ServerMemory;
import io.runnel.api.transport.StateValue;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a transport's calls with every key given one hash tag, so that all keys of a test lie
 * in one slot of a Redis Cluster: the conformance suite, written with free-form keys that
 * multi-key calls combine at will, then runs unchanged on a cluster. Results name keys as the
 * caller wrote them. What splitting calls across slots does is tested apart from the suite.
 */
public final class SameSlotTransport implements Transport {
    private final Transport delegate;
    private final String tag;

    /**
     * A view of {@code delegate} with tagged keys.
     *
     * @param delegate the transport under test, on a Redis Cluster
     * @param tag      e.g. {@code "{conformance}"}: put before every key
     */
    public SameSlotTransport(Transport delegate, String tag) {
        this.delegate = delegate;
        this.tag = tag;
    }

    /**
     * The key as the server sees it.
     *
     * @param key a key as the caller writes it
     * @return the key with the tag before it
     */
    public String onServer(String key) {
        return tag + key;
    }

    private List<String> all(List<String> keys) {
        return keys.stream().map(this::onServer).toList();
    }

    private Fence fence(Fence f) {
        return new Fence(onServer(f.lockKey()), f.token());
    }

    private Append tagged(Append a) {
        return new Append(onServer(a.key()), a.id(), a.fields(), a.maxLen());
    }

    private <V> Map<String, V> keyed(Map<String, V> byKey) {
        Map<String, V> tagged = new LinkedHashMap<>();
        byKey.forEach((k, v) -> tagged.put(onServer(k), v));
        return tagged;
    }

    private <V> Map<String, V> untagged(Map<String, V> byKey) {
        Map<String, V> plain = new LinkedHashMap<>();
        byKey.forEach((k, v) -> plain.put(k.substring(tag.length()), v));
        return plain;
    }

    private List<FencedRead> reads(List<FencedRead> reads) {
        return reads.stream().map(r -> new FencedRead(fence(r.fence()), onServer(r.key()), r.afterId())).toList();
    }

    @Override
    public List<String> append(List<Append> appends) {
        return delegate.append(appends.stream().map(this::tagged).toList());
    }

    @Override
    public List<String> appendDurably(List<Append> appends, int replicas, Duration timeout) {
        return delegate.appendDurably(appends.stream().map(this::tagged).toList(), replicas, timeout);
    }

    @Override
    public long length(String key) {
        return delegate.length(onServer(key));
    }

    @Override
    public List<StreamEntry> range(String key, String start, String end, int count) {
        return delegate.range(onServer(key), start, end, count);
    }

    @Override
    public String lastId(String key) {
        return delegate.lastId(onServer(key));
    }

    @Override
    public List<StreamEntry> read(String key, String afterId, int count, Duration block) {
        return delegate.read(onServer(key), afterId, count, block);
    }

    @Override
    public void delete(List<String> keys) {
        delegate.delete(all(keys));
    }

    @Override
    public void createGroup(List<String> keys, String group, String startId) {
        delegate.createGroup(all(keys), group, startId);
    }

    @Override
    public void destroyGroup(List<String> keys, String group) {
        delegate.destroyGroup(all(keys), group);
    }

    @Override
    public boolean groupExists(String key, String group) {
        return delegate.groupExists(onServer(key), group);
    }

    @Override
    public Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                                    int count, Duration block) {
        return untagged(delegate.readGroup(group, consumer, keyed(idsByKey), count, block));
    }

    @Override
    public void ack(String group, Map<String, List<String>> idsByKey) {
        delegate.ack(group, keyed(idsByKey));
    }

    @Override
    public long pendingCount(String key, String group) {
        return delegate.pendingCount(onServer(key), group);
    }

    @Override
    public Optional<GroupInfo> groupInfo(String key, String group) {
        return delegate.groupInfo(onServer(key), group);
    }

    @Override
    public RetentionResult retain(RetentionPass pass) {
        return delegate.retain(new RetentionPass(onServer(pass.key()), onServer(pass.recordKey()), pass.trimAcked(),
                pass.maxAge(), pass.maxLength()));
    }

    @Override
    public Map<String, String> getHash(String key) {
        return delegate.getHash(onServer(key));
    }

    @Override
    public Optional<String> get(String key) {
        return delegate.get(onServer(key));
    }

    @Override
    public List<Optional<String>> getAll(List<String> keys) {
        return delegate.getAll(all(keys));
    }

    @Override
    public void set(String key, String value, Duration ttl) {
        delegate.set(onServer(key), value, ttl);
    }

    @Override
    public List<Boolean> setIfAbsent(List<String> keys, String value, Duration ttl) {
        return delegate.setIfAbsent(all(keys), value, ttl);
    }

    @Override
    public List<Boolean> extendIfOwner(List<String> keys, String owner, Duration ttl) {
        return delegate.extendIfOwner(all(keys), owner, ttl);
    }

    @Override
    public List<Boolean> deleteIfOwner(List<String> keys, String owner) {
        return delegate.deleteIfOwner(all(keys), owner);
    }

    @Override
    public Optional<Duration> timeToLive(String key) {
        return delegate.timeToLive(onServer(key));
    }

    @Override
    public long increment(String key) {
        return delegate.increment(onServer(key));
    }

    @Override
    public List<Boolean> extendFenced(List<Fence> fences, Duration ttl) {
        return delegate.extendFenced(fences.stream().map(this::fence).toList(), ttl);
    }

    @Override
    public List<Boolean> releaseFenced(List<Fence> fences) {
        return delegate.releaseFenced(fences.stream().map(this::fence).toList());
    }

    @Override
    public List<FencedRead.Result> readGroupFenced(String group, List<FencedRead> reads, int count, Duration block) {
        return delegate.readGroupFenced(group, reads(reads), count, block);
    }

    @Override
    public List<Boolean> handOverPending(String group, String to, List<FencedRead> streams) {
        return delegate.handOverPending(group, to, reads(streams));
    }

    @Override
    public List<Boolean> ackFenced(String group, List<FencedAck> acks) {
        return delegate.ackFenced(group, acks.stream()
                .map(a -> new FencedAck(fence(a.fence()), onServer(a.key()), a.ids())).toList());
    }

    @Override
    public Optional<List<String>> appendFenced(Fence fence, List<Append> appends) {
        return delegate.appendFenced(fence(fence), appends.stream().map(this::tagged).toList());
    }

    @Override
    public boolean setFenced(Fence fence, String key, String value) {
        return delegate.setFenced(fence(fence), onServer(key), value);
    }

    @Override
    public Optional<List<ParkStep.Outcome>> parkFenced(Fence fence, String group, ParkingKeys keys, List<ParkStep> steps) {
        return delegate.parkFenced(fence(fence), group, parking(keys), steps);
    }

    @Override
    public long releaseParked(ParkingKeys keys, String processor, String key, boolean replay) {
        return delegate.releaseParked(parking(keys), processor, key, replay);
    }

    @Override
    public List<String> appendOnce(String journal, Duration ttl, List<Append> appends, List<String> tokens) {
        return delegate.appendOnce(onServer(journal), ttl, appends.stream().map(this::tagged).toList(), tokens);
    }

    @Override
    public long deleteEntries(String key, List<String> ids) {
        return delegate.deleteEntries(onServer(key), ids);
    }

    @Override
    public boolean commitFenced(Fence fence, String group, Commit commit) {
        return delegate.commitFenced(fence(fence), group, tagged(commit));
    }

    private Commit tagged(Commit commit) {
        return Commit.builder(onServer(commit.streamKey()), onServer(commit.markerKey()), commit.marker())
                .ack(commit.ids())
                .append(commit.appends().stream().map(this::tagged).toList())
                .write(commit.writes().stream()
                        .map(w -> new Commit.StateWrite(onServer(w.key()), w.field(), w.value())).toList())
                .expire(commit.expiries().stream()
                        .map(e -> new Commit.Expiry(onServer(e.key()), e.field(), e.expiresAt())).toList())
                .sweep(commit.sweeps().stream()
                        .map(w -> new Commit.Sweep(onServer(w.key()), onServer(w.expiryKey()), w.nowMillis(), w.limit()))
                        .toList())
                .build();
    }

    @Override
    public boolean commitFencedDurably(Fence fence, String group, Commit commit, int replicas, Duration timeout) {
        return delegate.commitFencedDurably(fence(fence), group, tagged(commit), replicas, timeout);
    }

    @Override
    public long forwardOnce(String marks, String source, String target, long maxLen, List<StreamEntry> entries) {
        return delegate.forwardOnce(onServer(marks), source, onServer(target), maxLen, entries);
    }

    @Override
    public List<Optional<byte[]>> hashValues(String key, List<String> fields) {
        return delegate.hashValues(onServer(key), fields);
    }

    @Override
    public List<Optional<StateValue>> stateValues(String key, String expiryKey, List<String> fields, long nowMillis) {
        return delegate.stateValues(onServer(key), onServer(expiryKey), fields, nowMillis);
    }

    @Override
    public Map<String, byte[]> hashEntries(String key) {
        return delegate.hashEntries(onServer(key));
    }

    private ParkingKeys parking(ParkingKeys keys) {
        return new ParkingKeys(onServer(keys.stream()), onServer(keys.parked()), onServer(keys.marks()));
    }

    @Override
    public int hashSlot(String key) {
        return delegate.hashSlot(onServer(key));
    }

    @Override
    public List<ServerMemory> serverMemory() {
        return delegate.serverMemory();
    }

    @Override
    public String nodeOf(String key) {
        return delegate.nodeOf(onServer(key));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
