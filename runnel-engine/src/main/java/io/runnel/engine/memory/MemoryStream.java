// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.TransportArgs;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One stream key: its entries in id order, the last id it ever generated and its consumer
 * groups. Not thread-safe; {@link MemoryStore}'s lock guards it.
 */
final class MemoryStream {
    private final NavigableMap<StreamId, Map<String, byte[]>> entries = new TreeMap<>();
    private final Map<String, ConsumerGroup> groups = new HashMap<>();
    /** Survives trimming, as in Redis: new ids must stay above every id ever handed out. */
    private StreamId lastId = StreamId.MIN;

    /**
     * XADD of one entry.
     *
     * @param requestedId an explicit id ({@code ms-seq}, {@code ms}, {@code ms-*}), or null or
     *                    {@code *} for one made from {@code nowMillis}
     * @throws RedisError if the id is malformed or not above the last one
     */
    StreamId add(String requestedId, Map<String, byte[]> fields, long nowMillis) {
        StreamId id = requestedId == null || requestedId.equals("*") ? autoId(nowMillis) : explicitId(requestedId);
        entries.put(id, copy(fields));
        lastId = id;
        return id;
    }

    /**
     * Drops the oldest entries beyond {@code maxLen}; pending lists keep their ids.
     *
     * @return how many it dropped
     */
    long trimTo(long maxLen) {
        long dropped = 0;
        while (entries.size() > maxLen) {
            removed(entries.pollFirstEntry().getKey());
            dropped++;
        }
        return dropped;
    }

    /**
     * XTRIM MINID: drops the entries below {@code minId}.
     *
     * @return how many it dropped
     */
    long trimBelow(StreamId minId) {
        long dropped = 0;
        while (!entries.isEmpty() && entries.firstKey().compareTo(minId) < 0) {
            removed(entries.pollFirstEntry().getKey());
            dropped++;
        }
        return dropped;
    }

    /** XDEL of one entry; pending lists keep its id. */
    void delete(StreamId id) {
        if (entries.remove(id) != null) {
            removed(id);
        }
    }

    private void removed(StreamId id) {
        for (ConsumerGroup group : groups.values()) {
            group.removed(id);
        }
    }

    /** The oldest entry left, null if none. */
    StreamId oldestId() {
        return entries.isEmpty() ? null : entries.firstKey();
    }

    /** The groups by name, in name order (as XINFO GROUPS lists them). */
    SortedMap<String, ConsumerGroup> groups() {
        return new TreeMap<>(groups);
    }

    /** The oldest entry some group still needs; null when there is no group. */
    StreamId oldestNeeded() {
        StreamId oldest = null;
        for (ConsumerGroup group : groups.values()) {
            StreamId needed = group.oldestNeeded();
            if (oldest == null || needed.compareTo(oldest) < 0) {
                oldest = needed;
            }
        }
        return oldest;
    }

    int length() {
        return entries.size();
    }

    /** The last id ever added, which is what {@code $} means. */
    StreamId lastId() {
        return lastId;
    }

    /** The id of the newest entry still stored, {@code 0-0} if none. */
    StreamId newestId() {
        return entries.isEmpty() ? StreamId.MIN : entries.lastKey();
    }

    /** Entries in {@code [from, to]}, at most {@code count} ({@code <= 0}: all). */
    List<StreamEntry> range(StreamId from, StreamId to, int count) {
        if (from.isAfter(to)) {
            return List.of();
        }
        return entries(entries.subMap(from, true, to, true), count);
    }

    /** Entries with ids above {@code after}, at most {@code count} ({@code <= 0}: all). */
    List<StreamEntry> after(StreamId after, int count) {
        return entries(entries.tailMap(after, false), count);
    }

    /** The stored entries above {@code after}, live and in id order, for group delivery. */
    NavigableMap<StreamId, Map<String, byte[]>> entriesAfter(StreamId after) {
        return Collections.unmodifiableNavigableMap(entries.tailMap(after, false));
    }

    /** The fields of a stored entry, null once it has been trimmed. */
    Map<String, byte[]> fieldsOf(StreamId id) {
        return entries.get(id);
    }

    ConsumerGroup group(String name) {
        return groups.get(name);
    }

    /** @return false, leaving the group as it is, when it already exists */
    boolean createGroup(String name, StreamId lastDelivered) {
        // As Redis 7.0 has it: known (0) for a group that starts at the beginning, else unknown.
        Long read = lastDelivered.equals(StreamId.MIN) ? 0L : null;
        return groups.putIfAbsent(name, new ConsumerGroup(lastDelivered, read)) == null;
    }

    boolean destroyGroup(String name) {
        return groups.remove(name) != null;
    }

    /** A stream entry as handed out: its own copies, so no reader can change what others see. */
    static StreamEntry entry(StreamId id, Map<String, byte[]> fields) {
        return new StreamEntry(id.toString(), fields == null ? Map.of() : copy(fields));
    }

    /** Redis's stream id rule: the clock's millis, or the last id's plus one sequence if the clock lags. */
    private StreamId autoId(long nowMillis) {
        if (Long.compareUnsigned(nowMillis, lastId.ms()) > 0) {
            return new StreamId(nowMillis, 0);
        }
        if (lastId.equals(StreamId.MAX)) {
            throw new RedisError("ERR The stream has exhausted the last possible ID, unable to add more items");
        }
        return lastId.next();
    }

    private StreamId explicitId(String requested) {
        if (requested.endsWith("-*")) {
            StreamId millisOnly = StreamId.parse(requested.substring(0, requested.length() - 2), 0);
            if (millisOnly.ms() == lastId.ms() && lastId.seq() != -1L) {
                return lastId.next();
            }
            if (millisOnly.isAfter(lastId)) {
                return millisOnly;
            }
            throw RedisError.idNotGreater();
        }
        StreamId id = StreamId.parse(requested, 0);
        if (id.equals(StreamId.MIN)) {
            throw new RedisError("ERR The ID specified in XADD must be greater than 0-0");
        }
        if (!id.isAfter(lastId)) {
            throw RedisError.idNotGreater();
        }
        return id;
    }

    private static List<StreamEntry> entries(Map<StreamId, Map<String, byte[]>> selected, int count) {
        int limit = TransportArgs.hasLimit(count) ? Math.min(count, selected.size()) : selected.size();
        List<StreamEntry> result = new ArrayList<>(limit);
        for (Map.Entry<StreamId, Map<String, byte[]>> stored : selected.entrySet()) {
            if (result.size() == limit) {
                break;
            }
            result.add(entry(stored.getKey(), stored.getValue()));
        }
        return Collections.unmodifiableList(result);
    }

    private static Map<String, byte[]> copy(Map<String, byte[]> fields) {
        Map<String, byte[]> copy = new LinkedHashMap<>(fields.size() * 2);
        fields.forEach((name, value) -> copy.put(name, value.clone()));
        return Collections.unmodifiableMap(copy);
    }
}
