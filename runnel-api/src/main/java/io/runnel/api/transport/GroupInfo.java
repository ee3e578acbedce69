// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The state of one consumer group on one stream key: what XPENDING (summary form) and
 * XINFO GROUPS report, read together. Used by status views; the engine never decides
 * anything from it.
 *
 * @param pending         entries delivered to the group and not acknowledged yet
 * @param oldestPendingId the smallest pending id, empty when nothing is pending
 * @param lastDeliveredId the id of the last entry delivered to the group, {@code "0-0"} when
 *                        none was (or the id the group was created or reset at)
 * @param lag             entries of the stream not delivered to the group yet. Exact when the
 *                        group has read everything or nothing of what the stream holds, and
 *                        otherwise up to 1,000 undelivered entries, counted after the last
 *                        delivered one (Redis's own lag goes wrong or unknown after XDEL, or
 *                        after trimming, inside the undelivered range). Beyond that, Redis's
 *                        lag capped at the stream's length. Empty only before Redis 6.2.
 * @param entriesRead     how many entries the group has read since it was created (Redis's
 *                        {@code entries-read}): a counter whose growth is the group's delivery
 *                        rate. Empty when Redis does not know it (before 7.0, or after XSETID)
 * @param oldestPendingDeliveries how many times the oldest pending entry was delivered (XPENDING's
 *                        delivery count); 0 when nothing is pending
 */
public record GroupInfo(long pending, Optional<String> oldestPendingId, String lastDeliveredId, OptionalLong lag,
                        OptionalLong entriesRead, long oldestPendingDeliveries) {
    /**
     * Checks the state.
     *
     * @throws IllegalArgumentException if {@code pending} is negative
     * @throws NullPointerException     if an id or {@code lag} is null
     */
    public GroupInfo {
        if (pending < 0) {
            throw new IllegalArgumentException("pending must not be negative: " + pending);
        }
        Objects.requireNonNull(oldestPendingId, "oldestPendingId");
        Objects.requireNonNull(lastDeliveredId, "lastDeliveredId");
        Objects.requireNonNull(lag, "lag");
        Objects.requireNonNull(entriesRead, "entriesRead");
        if (oldestPendingDeliveries < 0) {
            throw new IllegalArgumentException("oldestPendingDeliveries must not be negative: " + oldestPendingDeliveries);
        }
    }

    /**
     * A group's state whose entries read and delivery counts are not known.
     *
     * @param pending         see {@link #pending()}
     * @param oldestPendingId see {@link #oldestPendingId()}
     * @param lastDeliveredId see {@link #lastDeliveredId()}
     * @param lag             see {@link #lag()}
     */
    public GroupInfo(long pending, Optional<String> oldestPendingId, String lastDeliveredId, OptionalLong lag) {
        this(pending, oldestPendingId, lastDeliveredId, lag, OptionalLong.empty(), 0);
    }
}
