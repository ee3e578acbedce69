// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

import java.time.Instant;
import java.util.Map;

/**
 * One raw event as read from a partition: where it came from and its fields, before
 * deserialization.
 *
 * @param stream    the Runnel stream name
 * @param partition partition number
 * @param id        the Redis stream id
 * @param fields    field name to raw bytes ({@code data} for structured records)
 */
public record Event(String stream, int partition, String id, Map<String, byte[]> fields) {

    /**
     * The time Redis assigned to the event: the millisecond part of its id.
     *
     * @return when the event was added to its partition, to the millisecond
     */
    public Instant timestamp() {
        int dash = id.indexOf('-');
        return Instant.ofEpochMilli(Long.parseLong(dash < 0 ? id : id.substring(0, dash)));
    }

    /**
     * One raw field.
     *
     * @param name the field's name, e.g. {@code data}
     * @return the field's raw bytes, or null when the event has no such field
     */
    public byte[] field(String name) {
        return fields.get(name);
    }
}
