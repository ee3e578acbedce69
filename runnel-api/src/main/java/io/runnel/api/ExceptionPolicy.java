// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/** What a processor does when its function throws. */
public enum ExceptionPolicy {
    /** Stop the executor and its worker with the error. Nothing after the failed events is processed. */
    HALT,
    /**
     * Mark the partition as poisoned: stop processing it (its events stay pending and its
     * lock stays held) while the processor's other partitions keep going.
     */
    QUARANTINE,
    /** Acknowledge the failed events and restart the processor function on that partition. */
    IGNORE,
    /**
     * Park the failed event's partition key: the event, and every later event of the same
     * key, moves in order to the stream's parked stream ({@code parked.<stream>}), while the
     * partition's other keys go on. The key stays parked until an operator replays it (its
     * events are re-sent in order, then it is released) or drops it.
     */
    PARK
}
