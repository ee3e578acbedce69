// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.Set;

/**
 * Where one partition held by an executor stands, in {@link Ownership}. The coordinator moves
 * a partition from state to state, and only along the arrows that {@link #canFollow} lists:
 *
 * <pre>
 *   ACQUIRING   -> FLOWING, RELEASED (a rebalance listener refused it)
 *   FLOWING     -> STUCK, QUARANTINED, RELEASING, LOST
 *   STUCK       -> FLOWING (its thread came back), QUARANTINED, RELEASING, LOST
 *   QUARANTINED -> RELEASING, LOST
 *   RELEASING   -> RELEASED, LOST
 * </pre>
 *
 * RELEASED and LOST are final: the entry leaves the table with them.
 */
enum PartitionState {
    /** Its lock was taken and the rebalance listeners are told; no consumer runs yet. */
    ACQUIRING,
    /** Its consumer runs: events are handed out while the lease is valid. */
    FLOWING,
    /** A delivery outlived max_processing_time; its thread was interrupted and has until a deadline to come back. */
    STUCK,
    /** Poisoned: the lock is kept so that nobody processes it, and nothing is read or handed out. */
    QUARANTINED,
    /** Given back: the consumer finishes its iteration, reads end, acks are flushed; then the lock is deleted. */
    RELEASING,
    /** Released: acks flushed, pending entries handed back, lock deleted. Final. */
    RELEASED,
    /** Its lease ended without a release (expired, taken over, or given up by policy). Final. */
    LOST;

    /**
     * Whether a partition may move to this state from {@code previous}.
     *
     * @param previous the state it is in
     * @return true if the move is one the state machine allows
     */
    boolean canFollow(PartitionState previous) {
        return switch (this) {
            case ACQUIRING -> false;
            case FLOWING -> Set.of(ACQUIRING, STUCK).contains(previous);
            case STUCK -> previous == FLOWING;
            case QUARANTINED -> Set.of(FLOWING, STUCK).contains(previous);
            case RELEASING -> Set.of(FLOWING, STUCK, QUARANTINED).contains(previous);
            case RELEASED -> Set.of(ACQUIRING, RELEASING).contains(previous);
            case LOST -> Set.of(FLOWING, STUCK, QUARANTINED, RELEASING).contains(previous);
        };
    }

    /** Whether the entry leaves the table in this state. */
    boolean isFinal() {
        return this == RELEASED || this == LOST;
    }
}
