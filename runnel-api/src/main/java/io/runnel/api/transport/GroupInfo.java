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
 */
public record GroupInfo(long pending, Optional<String> oldestPendingId, String lastDeliveredId, OptionalLong lag) {
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
    }
}
