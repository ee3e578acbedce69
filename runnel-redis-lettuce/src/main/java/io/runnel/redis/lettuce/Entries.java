// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.StreamMessage;
import io.runnel.api.transport.StreamEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Lettuce's stream messages as the Transport's entries. */
final class Entries {

    private Entries() {
    }

    /** The entries by stream key, keys in the request's order, those without entries left out. */
    static Map<String, List<StreamEntry>> byKey(Iterable<String> requestOrder,
                                                List<StreamMessage<String, byte[]>> messages) {
        if (messages.isEmpty()) {
            return Map.of();
        }
        Map<String, List<StreamEntry>> found = new HashMap<>();
        for (StreamMessage<String, byte[]> message : messages) {
            found.computeIfAbsent(message.getStream(), k -> new ArrayList<>()).add(entry(message));
        }
        Map<String, List<StreamEntry>> ordered = new LinkedHashMap<>();
        for (String key : requestOrder) {
            List<StreamEntry> entries = found.get(key);
            if (entries != null) {
                ordered.put(key, Collections.unmodifiableList(entries));
            }
        }
        return Collections.unmodifiableMap(ordered);
    }

    static List<StreamEntry> of(List<StreamMessage<String, byte[]>> messages) {
        return messages.stream().map(Entries::entry).toList();
    }

    /**
     * A pending entry that was trimmed or deleted since its delivery comes back from
     * XREADGROUP without fields; it keeps its id so it can still be acknowledged. The body
     * is the reply's own map, which Lettuce hands over and keeps no reference to: it is
     * wrapped, not copied (a copy per event cost more than the rest of the entry).
     */
    private static StreamEntry entry(StreamMessage<String, byte[]> message) {
        Map<String, byte[]> body = message.getBody();
        Map<String, byte[]> fields = body == null ? Map.of() : Collections.unmodifiableMap(body);
        return new StreamEntry(message.getId(), fields);
    }
}
