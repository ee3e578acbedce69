// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * What a processor promises about the effects of each input event on Runnel streams and
 * Runnel state. Effects outside Runnel (a database write, an HTTP call) are at-least-once
 * under both: use the event's id as their idempotency key.
 */
public enum ProcessingGuarantee {
    /**
     * An event is acknowledged after its processing, so after a crash, a freeze or a
     * failover it may be processed again: what it sent is sent again. Keyed state changes
     * still commit with the event's acknowledgement.
     */
    AT_LEAST_ONCE,
    /**
     * What a delivery sends and writes to keyed state is staged, and commits atomically
     * with the event's acknowledgement, in one script fenced by the partition's lease. A
     * delivery that runs again (after a crash, a failover or a retry) starts from the
     * committed state, and only one run's effects are ever committed.
     */
    EXACTLY_ONCE
}
