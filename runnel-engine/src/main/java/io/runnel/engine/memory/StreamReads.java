// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.StreamEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * XREAD and XREADGROUP as Redis runs them, one attempt at a time: each method returns the
 * attempt, which {@link MemoryStore#read} repeats under its lock while a blocking read waits.
 */
final class StreamReads {
    static final String NEW_ENTRIES = ">";
    static final String LAST_ID = "$";

    private StreamReads() {
    }

    /** XREAD of one key after {@code afterId} ({@code $}: after the last id when the read starts). */
    static Function<Keyspace, List<StreamEntry>> read(String key, String afterId, int count) {
        return new Read(key, afterId, count);
    }

    /**
     * XREADGROUP: per key, {@code >} for entries new to the group or an id after which to
     * re-read this consumer's pending entries. Keys that give nothing are left out.
     */
    static Function<Keyspace, Map<String, List<StreamEntry>>> readGroup(String group, String consumer,
                                                                      Map<String, String> idsByKey, int count) {
        return keys -> readGroupOnce(keys, group, consumer, idsByKey, count);
    }

    /** The group of a stream, or the NOGROUP error Redis gives when the key or the group is missing. */
    static ConsumerGroup existingGroup(Keyspace keys, String key, String group, String context) {
        MemoryStream stream = keys.stream(key);
        ConsumerGroup consumers = stream == null ? null : stream.group(group);
        if (consumers == null) {
            throw RedisError.noGroup(key, group, context);
        }
        return consumers;
    }

    private static final class Read implements Function<Keyspace, List<StreamEntry>> {
        private final String key;
        private final String afterId;
        private final int count;
        /** Resolved on the first attempt only: {@code $} means the last id when the read began. */
        private StreamId after;

        Read(String key, String afterId, int count) {
            this.key = key;
            this.afterId = afterId;
            this.count = count;
        }

        @Override
        public List<StreamEntry> apply(Keyspace keys) {
            MemoryStream stream = keys.stream(key);
            if (after == null) {
                after = resolve(stream);
            }
            return stream == null ? List.of() : stream.after(after, count);
        }

        private StreamId resolve(MemoryStream stream) {
            if (afterId.equals(NEW_ENTRIES)) {
                throw new RedisError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
                        + "<group> <consumer> option.");
            }
            if (afterId.equals(LAST_ID)) {
                return stream == null ? StreamId.MIN : stream.lastId();
            }
            return StreamId.parse(afterId, 0);
        }
    }

    /** Every key is checked before anything is delivered, so a refused read delivers nothing, as in Redis. */
    private static Map<String, List<StreamEntry>> readGroupOnce(Keyspace keys, String group, String consumer,
                                                                Map<String, String> idsByKey, int count) {
        List<GroupRead> reads = new ArrayList<>(idsByKey.size());
        idsByKey.forEach((key, id) -> {
            ConsumerGroup consumers = existingGroup(keys, key, group, " in XREADGROUP with GROUP option");
            reads.add(new GroupRead(key, keys.stream(key), consumers, pendingAfter(id)));
        });
        Map<String, List<StreamEntry>> result = new LinkedHashMap<>();
        for (GroupRead read : reads) {
            List<StreamEntry> entries = read.pendingAfter() == null
                    ? read.group().deliverNew(read.stream(), consumer, count)
                    : read.group().redeliver(read.stream(), consumer, read.pendingAfter(), count);
            if (!entries.isEmpty()) {
                result.put(read.key(), entries);
            }
        }
        return result.isEmpty() ? Map.of() : Collections.unmodifiableMap(result);
    }

    /** One key of an XREADGROUP; {@code pendingAfter} is null for new entries. */
    private record GroupRead(String key, MemoryStream stream, ConsumerGroup group, StreamId pendingAfter) {
    }

    /** @return null for {@code >}, else the id after which to re-read pending entries */
    private static StreamId pendingAfter(String id) {
        if (id.equals(NEW_ENTRIES)) {
            return null;
        }
        if (id.equals(LAST_ID)) {
            throw new RedisError("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read "
                    + "the history of this consumer by specifying a proper ID, or use the > ID to get new "
                    + "messages. The $ ID would just return an empty result set.");
        }
        return StreamId.parse(id, 0);
    }
}
