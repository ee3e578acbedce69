// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One member of a processor in a {@link Status} ({@link ProcessorStatus#members()}): an
 * executor inside a worker.
 *
 * <p>An immutable value that only Runnel creates; a later version may add accessors to it, so
 * read it through its methods. Two are equal when every value they hold is.
 */
public final class MemberStatus {
    private final String executor;
    private final Instant joinedAt;
    private final Optional<Duration> heartbeatAge;
    private final List<Integer> partitions;
    private final boolean staticMember;

    /**
     * Checks the parts and copies the partitions.
     *
     * @throws NullPointerException if a part is null
     */
    MemberStatus(String executor, Instant joinedAt, Optional<Duration> heartbeatAge, List<Integer> partitions,
                 boolean staticMember) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.joinedAt = Objects.requireNonNull(joinedAt, "joinedAt");
        this.heartbeatAge = Objects.requireNonNull(heartbeatAge, "heartbeatAge");
        this.staticMember = staticMember;
        this.partitions = List.copyOf(partitions);
    }

    /**
     * The executor's id, which is the value of the partition locks it holds.
     *
     * @return the id
     */
    public String executor() {
        return executor;
    }

    /**
     * Whether the member is static ({@code member_id} set): it keeps its place, and its
     * partitions, for {@code session_timeout} while no process beats for it.
     *
     * @return true for a static member
     */
    public boolean staticMember() {
        return staticMember;
    }

    /**
     * When the member joined, as recorded in the membership.
     *
     * @return the time; {@link Instant#EPOCH} if another writer recorded a time this
     *         cannot read
     */
    public Instant joinedAt() {
        return joinedAt;
    }

    /**
     * Time since the member's last heartbeat: {@code lock_expiry} minus the heartbeat key's
     * remaining time to live.
     *
     * @return the age; empty when the heartbeat has expired, i.e. the member is dead and
     *         about to be reaped
     */
    public Optional<Duration> heartbeatAge() {
        return heartbeatAge;
    }

    /**
     * The partitions the membership assigns to the member, whether or not it has acquired
     * them yet (compare with {@link PartitionStatus#owner()}).
     *
     * @return the partition numbers
     */
    public List<Integer> partitions() {
        return partitions;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemberStatus m && executor.equals(m.executor) && joinedAt.equals(m.joinedAt)
                && heartbeatAge.equals(m.heartbeatAge) && partitions.equals(m.partitions)
                && staticMember == m.staticMember;
    }

    @Override
    public int hashCode() {
        return Objects.hash(executor, joinedAt, heartbeatAge, partitions, staticMember);
    }

    @Override
    public String toString() {
        return "MemberStatus[executor=" + executor + ", joinedAt=" + joinedAt + ", heartbeatAge=" + heartbeatAge
                + ", partitions=" + partitions + ", staticMember=" + staticMember + "]";
    }
}
