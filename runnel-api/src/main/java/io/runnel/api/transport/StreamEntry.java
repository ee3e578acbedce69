// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Map;

/**
 * One stream entry as stored: its id and raw fields (in stored order).
 *
 * @param id     the Redis stream id, {@code "<millis>-<seq>"}
 * @param fields field name to raw bytes
 */
public record StreamEntry(String id, Map<String, byte[]> fields) {
}
