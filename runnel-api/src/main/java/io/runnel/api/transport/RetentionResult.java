// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link RetentionPass} did and found.
 *
 * @param trimmed entries this pass removed
 * @param length  entries left
 * @param firstId the oldest entry left; empty when none is (or there is no stream)
 * @param groups  every consumer group of the stream, in the server's order
 */
public record RetentionResult(long trimmed, long length, Optional<String> firstId, List<GroupRetention> groups) {
    /**
     * Checks {@code firstId} and copies {@code groups}.
     *
     * @throws NullPointerException if {@code firstId} or {@code groups} is null
     */
    public RetentionResult {
        Objects.requireNonNull(firstId, "firstId");
        groups = List.copyOf(groups);
    }

    /** The result for a key that holds no stream. */
    public static final RetentionResult NO_STREAM = new RetentionResult(0, 0, Optional.empty(), List.of());

    /**
     * One group after the pass.
     *
     * @param group     the group's name
     * @param lag       entries not delivered to the group yet (see {@link GroupInfo#lag()})
     * @param lostNow   entries found removed before the group read them that no earlier pass
     *                  had found
     * @param lostTotal all such entries found so far, {@code lostNow} included
     */
    public record GroupRetention(String group, long lag, long lostNow, long lostTotal) {
        /**
         * Checks that the group is named.
         *
         * @throws NullPointerException if {@code group} is null
         */
        public GroupRetention {
            Objects.requireNonNull(group, "group");
        }
    }
}
