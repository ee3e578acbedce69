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
    IGNORE
}
