// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.ServerMemory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Status snapshots made up by tests outside {@code io.runnel.engine}, e.g. of how the CLI
 * renders them. Only Runnel creates {@link Status} values (their constructors are
 * package-private, so they can grow), hence this test-side class in their package.
 */
public final class StatusFixtures {
    private StatusFixtures() {
    }

    /** A {@link Status} of the given parts. */
    public static Status status(String app, Instant at, Optional<String> leader, List<Status.ProcessorStatus> processors,
                                List<ServerMemory> redisMemory) {
        return new Status(app, at, leader, processors, redisMemory);
    }

    /** A {@link Status.ProcessorStatus} of the given parts. */
    public static Status.ProcessorStatus processor(String name, String stream, String retention, long assignmentGeneration,
                                                   List<Status.MemberStatus> members,
                                                   List<Status.PartitionStatus> partitions) {
        return new Status.ProcessorStatus(name, stream, retention, assignmentGeneration, members, partitions);
    }

    /** A {@link Status.MemberStatus} of the given parts. */
    public static Status.MemberStatus member(String executor, Instant joinedAt, Optional<Duration> heartbeatAge,
                                             List<Integer> partitions) {
        return new Status.MemberStatus(executor, joinedAt, heartbeatAge, partitions);
    }

    /** A {@link Status.Halted} of the given parts. */
    public static Status.Halted halted(Instant at, String worker, List<String> eventIds, String error, String message) {
        return new Status.Halted(at, worker, eventIds, error, message);
    }

    /** A {@link Status.PartitionStatus} of the given parts. */
    public static Status.PartitionStatus partition(int partition, Optional<String> owner, long length, long pending,
                                                   Optional<Duration> oldestPendingAge, OptionalLong lag,
                                                   Optional<Duration> oldestEntryAge, long trimmedUnprocessed,
                                                   boolean poisoned, Optional<Instant> stuckSince,
                                                   Optional<Status.Halted> halted, List<String> parkedKeys) {
        return new Status.PartitionStatus(partition, owner, length, pending, oldestPendingAge, lag, oldestEntryAge,
                trimmedUnprocessed, poisoned, stuckSince, halted, parkedKeys);
    }
}
