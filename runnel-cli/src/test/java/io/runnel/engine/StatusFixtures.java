// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.ServerMemory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
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
    public static Status status(String app, Instant at, Optional<String> leader, List<ProcessorStatus> processors,
                                List<ServerMemory> redisMemory) {
        return new Status(app, at, leader, processors, redisMemory);
    }

    /** A {@link ProcessorStatus} of the given parts. */
    public static ProcessorStatus processor(String name, String stream, String retention, long assignmentGeneration,
                                            List<MemberStatus> members, List<PartitionStatus> partitions) {
        return new ProcessorStatus(name, stream, retention, assignmentGeneration, members, partitions);
    }

    /** A {@link MemberStatus} of the given parts. */
    public static MemberStatus member(String executor, Instant joinedAt, Optional<Duration> heartbeatAge,
                                      List<Integer> partitions) {
        return new MemberStatus(executor, joinedAt, heartbeatAge, partitions, false);
    }

    /** A {@link Halted} of the given parts. */
    public static Halted halted(Instant at, String worker, List<String> eventIds, String error, String message) {
        return new Halted(at, worker, eventIds, error, message);
    }

    /** A {@link PartitionStatus} of the given parts. */
    public static PartitionStatus partition(int partition, Optional<String> owner, long length, long pending,
                                            Optional<Duration> oldestPendingAge, OptionalLong lag,
                                            Optional<Duration> oldestEntryAge, long trimmedUnprocessed,
                                            boolean poisoned, Optional<Instant> stuckSince,
                                            Optional<Halted> halted, List<String> parkedKeys) {
        return partition(partition, owner, length, pending, oldestPendingAge, lag, oldestEntryAge, trimmedUnprocessed,
                poisoned, stuckSince, halted, parkedKeys, OptionalInt.empty(), Optional.empty());
    }

    /** A {@link PartitionStatus} of the given parts, with what its owner has in flight. */
    public static PartitionStatus partition(int partition, Optional<String> owner, long length, long pending,
                                            Optional<Duration> oldestPendingAge, OptionalLong lag,
                                            Optional<Duration> oldestEntryAge, long trimmedUnprocessed,
                                            boolean poisoned, Optional<Instant> stuckSince,
                                            Optional<Halted> halted, List<String> parkedKeys, OptionalInt inFlight,
                                            Optional<Duration> oldestInFlightAge) {
        return new PartitionStatus(partition, owner, length, pending, oldestPendingAge, lag, oldestEntryAge,
                trimmedUnprocessed, poisoned, stuckSince, halted, parkedKeys, inFlight, oldestInFlightAge,
                OptionalLong.empty(), owner.map(o -> o + ":1"), pending > 0 ? 1 : 0);
    }
}
