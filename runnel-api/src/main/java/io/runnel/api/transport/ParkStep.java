// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Map;
import java.util.Objects;

/**
 * One event's step through a partition's parking, for {@link Transport#parkFenced}.
 *
 * <p>A processor parks a partition key when its event fails under the PARK policy: the
 * event, and every later event of that key, moves to the partition's parked stream and is
 * acknowledged, while the key is marked in the partition's parking hash (field: the key;
 * value: {@code parked}, or {@code replaying <id>} while an operator's replay of it is
 * under way, with {@code reparked} appended when an event of the key had to be parked
 * again meanwhile).
 *
 * @param mode     what to do
 * @param key      the partition key, as text
 * @param eventId  the event's id in the partition
 * @param replayed whether the event is a re-send of this key's replay (it carries
 *                 {@code replay_key})
 * @param fields   the entry to add to the parked stream if the event is parked
 */
public record ParkStep(Mode mode, String key, String eventId, boolean replayed, Map<String, byte[]> fields) {
    /**
     * Checks that every part is there.
     *
     * @throws NullPointerException if {@code mode}, {@code key}, {@code eventId} or
     *                              {@code fields} is null
     */
    public ParkStep {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(fields, "fields");
    }

    /** What a step asks for. */
    public enum Mode {
        /** The event failed: mark its key parked, then park it. */
        FAIL,
        /**
         * The event's key may be parked: park the event if it is, else let it through. While
         * the key's replay is under way, its re-sends go through, as does an event added after
         * the replay's last re-send; an event of the key added before that is parked again.
         */
        FOLLOW,
        /**
         * The replay's last re-send ({@code eventId}) was processed: unmark the key, or mark it
         * parked again if an event of it was parked during the replay. Parks nothing.
         */
        FINISH
    }

    /** What became of a step's event. */
    public enum Outcome {
        /** Process it (FOLLOW), or the key is no longer parked (FINISH). */
        PROCESS,
        /** Process it; once processed, it ends its key's replay (send a FINISH step). */
        PROCESS_LAST,
        /** It was parked and acknowledged (FAIL, FOLLOW), or its key stays parked (FINISH). */
        PARKED
    }
}
