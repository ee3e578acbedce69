// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Map;
import java.util.Objects;

/**
 * One XADD: the stream key, an explicit id or {@code null} for a server-assigned one,
 * the entry's fields and the approximate maximum length to trim to ({@code 0} for none).
 *
 * @param key    stream key
 * @param id     explicit entry id, or null for {@code *}
 * @param fields field name to raw value, in insertion order
 * @param maxLen {@code MAXLEN ~ maxLen} applied with the append; 0 means no trimming
 */
public record Append(String key, String id, Map<String, byte[]> fields, long maxLen) {
    /**
     * Checks the entry.
     *
     * @throws NullPointerException     if {@code key} or {@code fields} is null
     * @throws IllegalArgumentException if {@code fields} is empty or {@code maxLen} negative
     */
    public Append {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fields, "fields");
        if (fields.isEmpty()) {
            throw new IllegalArgumentException("a stream entry needs at least one field");
        }
        if (maxLen < 0) {
            throw new IllegalArgumentException("maxLen must be >= 0");
        }
    }
}
