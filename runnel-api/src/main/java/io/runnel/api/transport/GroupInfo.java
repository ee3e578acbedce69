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
 * @param lag             entries of the stream not delivered to the group yet; empty when the
 *                        server cannot tell. Redis 7 answers nil after entries inside the
 *                        undelivered range were deleted with XDEL, and Redis 6 has no lag at
 *                        all: counting the entries instead could mean reading a whole backlog,
 *                        so the transports leave it empty rather than guess
 */
public record GroupInfo(long pending, Optional<String> oldestPendingId, String lastDeliveredId, OptionalLong lag) {
    public GroupInfo {
        if (pending < 0) {
            throw new IllegalArgumentException("pending must not be negative: " + pending);
        }
        Objects.requireNonNull(oldestPendingId, "oldestPendingId");
        Objects.requireNonNull(lastDeliveredId, "lastDeliveredId");
        Objects.requireNonNull(lag, "lag");
    }
}
