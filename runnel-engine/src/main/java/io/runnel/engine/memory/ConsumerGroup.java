// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.TransportArgs;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A consumer group of one stream: how far it has delivered and which delivered entries are
 * still unacknowledged (the pending entries list), overall and per consumer. Not
 * thread-safe; {@link MemoryStore}'s lock guards it.
 */
final class ConsumerGroup {
    private StreamId lastDelivered;
    /**
     * Entries delivered as new since the group was created: Redis's entries-read. Null when
     * unknown, as Redis has it for a group created at an id other than 0.
     */
    private Long entriesRead;
    /** Pending id to the consumer it was last delivered to. */
    private final TreeMap<StreamId, String> pending = new TreeMap<>();
    /** How many times each pending entry was delivered (XPENDING's delivery count). */
    private final Map<StreamId, Long> deliveries = new HashMap<>();
    private final Map<String, NavigableSet<StreamId>> pendingByConsumer = new HashMap<>();
    /** Entries removed before this group read them, not yet taken by a retention pass. */
    private long unreportedLoss;

    ConsumerGroup(StreamId lastDelivered, Long entriesRead) {
        this.lastDelivered = lastDelivered;
        this.entriesRead = entriesRead;
    }

    /**
     * XREADGROUP {@code >}: entries never delivered to the group, now pending for
     * {@code consumer}.
     */
    List<StreamEntry> deliverNew(MemoryStream stream, String consumer, int count) {
        List<StreamEntry> delivered = new ArrayList<>();
        for (Map.Entry<StreamId, Map<String, byte[]>> entry : stream.entriesAfter(lastDelivered).entrySet()) {
            if (TransportArgs.hasLimit(count) && delivered.size() == count) {
                break;
            }
            StreamId id = entry.getKey();
            String previousOwner = pending.put(id, consumer);
            if (previousOwner != null) {
                // Only reachable when the group's offset was moved back; Redis hands the entry over.
                pendingOf(previousOwner).remove(id);
            }
            pendingOf(consumer).add(id);
            deliveries.put(id, 1L);
            lastDelivered = id;
            if (entriesRead != null) {
                entriesRead++;
            }
            delivered.add(MemoryStream.entry(id, entry.getValue()));
        }
        return Collections.unmodifiableList(delivered);
    }

    /** Entries delivered as new since the group was created (Redis's entries-read), or null when unknown. */
    Long entriesRead() {
        return entriesRead;
    }

    /**
     * XREADGROUP with an explicit id: this consumer's pending entries above {@code after}.
     * An entry trimmed since its delivery comes back with no fields, so it can still be acked.
     */
    List<StreamEntry> redeliver(MemoryStream stream, String consumer, StreamId after, int count) {
        NavigableSet<StreamId> own = pendingByConsumer.get(consumer);
        if (own == null) {
            return List.of();
        }
        List<StreamEntry> delivered = new ArrayList<>();
        for (Iterator<StreamId> ids = own.tailSet(after, false).iterator(); ids.hasNext()
                && (!TransportArgs.hasLimit(count) || delivered.size() < count); ) {
            StreamId id = ids.next();
            deliveries.merge(id, 1L, Long::sum);
            delivered.add(MemoryStream.entry(id, stream.fieldsOf(id)));
        }
        return Collections.unmodifiableList(delivered);
    }

    /** XACK: removes the ids from the pending lists; unknown ids are ignored. */
    int ack(Collection<StreamId> ids) {
        int acked = 0;
        for (StreamId id : ids) {
            String owner = pending.remove(id);
            deliveries.remove(id);
            if (owner != null) {
                NavigableSet<StreamId> own = pendingByConsumer.get(owner);
                own.remove(id);
                acked++;
            }
        }
        return acked;
    }

    /** Whether a consumer other than {@code consumer} has pending entries. */
    boolean hasPendingOutside(String consumer) {
        for (Map.Entry<String, NavigableSet<StreamId>> e : pendingByConsumer.entrySet()) {
            if (!e.getKey().equals(consumer) && !e.getValue().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /**
     * XCLAIM for {@code consumer} of every entry other consumers hold, which are then
     * removed; as Redis 7 does, an entry no longer in the stream leaves the pending list
     * instead of being claimed.
     *
     * @return the claimed entries, in id order
     */
    List<StreamEntry> claimAllExcept(String consumer, MemoryStream stream) {
        List<StreamEntry> claimed = new ArrayList<>();
        for (Iterator<Map.Entry<String, NavigableSet<StreamId>>> it = pendingByConsumer.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, NavigableSet<StreamId>> other = it.next();
            if (other.getKey().equals(consumer)) {
                continue;
            }
            for (StreamId id : other.getValue()) {
                Map<String, byte[]> fields = stream.fieldsOf(id);
                if (fields.isEmpty()) {
                    pending.remove(id);
                    deliveries.remove(id);
                } else {
                    pending.put(id, consumer);
                    deliveries.merge(id, 1L, Long::sum); // XCLAIM, not JUSTID: a delivery
                    claimed.add(MemoryStream.entry(id, fields));
                }
            }
            it.remove();
        }
        for (StreamEntry e : claimed) {
            pendingOf(consumer).add(StreamId.parse(e.id(), 0));
        }
        claimed.sort((a, b) -> StreamId.parse(a.id(), 0).compareTo(StreamId.parse(b.id(), 0)));
        return claimed;
    }

    /** XCLAIM JUSTID of {@code from}'s pending entries for {@code to}, then XGROUP DELCONSUMER {@code from}. */
    void handOver(String from, String to) {
        if (from.equals(to)) {
            return;
        }
        NavigableSet<StreamId> moving = pendingByConsumer.remove(from);
        if (moving == null) {
            return;
        }
        for (StreamId id : moving) {
            pending.put(id, to);
        }
        pendingOf(to).addAll(moving);
    }

    long pendingCount() {
        return pending.size();
    }

    /** How many times the oldest pending entry was delivered; 0 when nothing is pending. */
    long oldestPendingDeliveries() {
        return pending.isEmpty() ? 0 : deliveries.getOrDefault(pending.firstKey(), 1L);
    }

    /** The smallest pending id, null when nothing is pending. */
    StreamId oldestPending() {
        return pending.isEmpty() ? null : pending.firstKey();
    }

    StreamId lastDelivered() {
        return lastDelivered;
    }

    /** The oldest entry this group still needs: its oldest pending one, else its last delivered one. */
    StreamId oldestNeeded() {
        StreamId oldest = oldestPending();
        return oldest != null && oldest.compareTo(lastDelivered) < 0 ? oldest : lastDelivered;
    }

    /** Called for every entry removed from the stream: counts it if this group never read it. */
    void removed(StreamId id) {
        if (id.isAfter(lastDelivered)) {
            unreportedLoss++;
        }
    }

    /** The entries lost since the last call. */
    long takeLoss() {
        long loss = unreportedLoss;
        unreportedLoss = 0;
        return loss;
    }

    private NavigableSet<StreamId> pendingOf(String consumer) {
        return pendingByConsumer.computeIfAbsent(consumer, c -> new TreeSet<>());
    }
}
