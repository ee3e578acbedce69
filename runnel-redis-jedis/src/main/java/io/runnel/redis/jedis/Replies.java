// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.StreamEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads raw RESP2 replies as Jedis hands them over: bulk and status replies as
 * {@code byte[]}, integers as {@code Long}, arrays as {@code List<Object>}, nil as
 * {@code null}.
 */
final class Replies {
    private Replies() {
    }

    static String text(Object reply) {
        return reply == null ? null : new String((byte[]) reply, StandardCharsets.UTF_8);
    }

    static long integer(Object reply) {
        return (Long) reply;
    }

    /** SET answers OK when it set the key, and nil when NX found the key already there. */
    static boolean ok(Object reply) {
        return reply instanceof byte[] status && "OK".equals(text(status));
    }

    static List<Object> array(Object reply) {
        if (reply == null) {
            return List.of();
        }
        @SuppressWarnings("unchecked") // RESP arrays are always lists of objects
        List<Object> array = (List<Object>) reply;
        return array;
    }

    /** The entries of an XRANGE-shaped reply: {@code [[id, [field, value, ...]], ...]}. */
    static List<StreamEntry> entries(Object reply) {
        List<Object> array = array(reply);
        List<StreamEntry> entries = new ArrayList<>(array.size());
        FieldNames names = new FieldNames();
        for (Object entry : array) {
            entries.add(entry(entry, names));
        }
        return Collections.unmodifiableList(entries);
    }

    /**
     * A pending entry that was trimmed or deleted since its delivery comes back from
     * XREADGROUP with nil for its fields; it keeps its id so it can still be acknowledged.
     * The usual entry has one field ({@code data}): it gets a one-entry map.
     */
    private static StreamEntry entry(Object reply, FieldNames names) {
        List<Object> entry = array(reply);
        List<Object> flat = array(entry.get(1));
        Map<String, byte[]> fields;
        if (flat.size() == 2) {
            fields = Map.of(names.text((byte[]) flat.get(0)), (byte[]) flat.get(1));
        } else {
            Map<String, byte[]> stored = new LinkedHashMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                stored.put(names.text((byte[]) flat.get(i)), (byte[]) flat.get(i + 1));
            }
            fields = Collections.unmodifiableMap(stored);
        }
        return new StreamEntry(text(entry.get(0)), fields);
    }

    /**
     * Field names repeat from entry to entry of a reply (all {@code data}, as a rule): the
     * last one decoded is kept, so a run of equal names is decoded once.
     */
    private static final class FieldNames {
        private byte[] lastRaw;
        private String lastText;

        String text(byte[] raw) {
            if (!Arrays.equals(raw, lastRaw)) {
                lastRaw = raw;
                lastText = new String(raw, StandardCharsets.UTF_8);
            }
            return lastText;
        }
    }

    /**
     * Entries per key of an XREAD/XREADGROUP reply ({@code [[key, entries], ...]} or nil),
     * in the order of {@code requestOrder}; keys without entries are left out.
     */
    static Map<String, List<StreamEntry>> byKey(Iterable<String> requestOrder, Object reply) {
        List<Object> streams = array(reply);
        if (streams.isEmpty()) {
            return Map.of();
        }
        Map<String, List<StreamEntry>> found = new HashMap<>();
        for (Object stream : streams) {
            List<Object> keyAndEntries = array(stream);
            List<StreamEntry> entries = entries(keyAndEntries.get(1));
            if (!entries.isEmpty()) {
                found.put(text(keyAndEntries.get(0)), entries);
            }
        }
        Map<String, List<StreamEntry>> ordered = new LinkedHashMap<>();
        for (String key : requestOrder) {
            List<StreamEntry> entries = found.get(key);
            if (entries != null) {
                ordered.put(key, entries);
            }
        }
        return Collections.unmodifiableMap(ordered);
    }

    /** All entries of a one-key XREAD reply. */
    static List<StreamEntry> onlyStream(Object reply) {
        List<Object> streams = array(reply);
        return streams.isEmpty() ? List.of() : entries(array(streams.get(0)).get(1));
    }
}
