// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.ServerMemory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A snapshot of an app's processors as Redis holds them, from {@link App#status()}: who the
 * members are, which partitions each was assigned and which it holds, and how far behind
 * each partition is. Reading it changes nothing, so any process can take one beside
 * running workers (the {@code runnel status} command does).
 *
 * <p>The values are read one key after another, not atomically: during a rebalance a
 * snapshot can show a partition assigned to one member and still locked by another.
 *
 * @param app         the app's name
 * @param at          when the snapshot was taken (the app's clock); ages are relative to it
 * @param leader      the id of the worker holding the leadership ({@code __lead:<app>}), if any
 * @param processors  every processor the app defines, in definition order
 * @param redisMemory how full Redis's memory is: one entry for a single server, one per master
 *                    of a Redis Cluster; empty when unknown (the in-memory transport, or a
 *                    server that does not let this user read {@code INFO})
 */
public record Status(String app, Instant at, Optional<String> leader, List<ProcessorStatus> processors,
                     List<ServerMemory> redisMemory) {
    /**
     * Checks the parts and copies the lists.
     *
     * @throws NullPointerException if a part is null
     */
    public Status {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(leader, "leader");
        processors = List.copyOf(processors);
        redisMemory = List.copyOf(redisMemory);
    }

    /**
     * The status of one processor.
     *
     * @param name the processor's name
     * @return its status
     * @throws IllegalArgumentException if the app has no processor of that name
     */
    public ProcessorStatus processor(String name) {
        return processors.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no processor '" + name + "' in app " + app));
    }

    /**
     * One processor: its members (executors, one per worker running it) and its partitions.
     *
     * @param name       the processor (and consumer group) name
     * @param stream     the stream it reads
     * @param retention  the stream's retention ({@code acked} or {@code maxlen N}, then any
     *                   limits), as this app defines it
     * @param assignmentGeneration how many times the membership record (who is assigned
     *                   which partitions) has changed; 0 before any worker joined
     * @param members    the members recorded in {@code __memb:…}, oldest first
     * @param partitions every partition of the stream, in order
     */
    public record ProcessorStatus(String name, String stream, String retention, long assignmentGeneration,
                                  List<MemberStatus> members, List<PartitionStatus> partitions) {
        /**
         * Checks the parts and copies the lists.
         *
         * @throws NullPointerException if a part is null
         */
        public ProcessorStatus {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(stream, "stream");
            Objects.requireNonNull(retention, "retention");
            members = List.copyOf(members);
            partitions = List.copyOf(partitions);
        }

        /**
         * The status of one partition.
         *
         * @param partition the partition number
         * @return its status
         * @throws IndexOutOfBoundsException if the stream has no such partition
         */
        public PartitionStatus partition(int partition) {
            return partitions.get(partition);
        }

        /**
         * The keys the processor parked, over all partitions, sorted.
         *
         * @return the parked keys, as text
         */
        public List<String> parkedKeys() {
            return partitions.stream().flatMap(p -> p.parkedKeys().stream()).sorted().toList();
        }
    }

    /**
     * One member of a processor: an executor inside a worker.
     *
     * @param executor     the executor id (the value of the partition locks it holds)
     * @param joinedAt     when it joined, as recorded in the membership ({@link Instant#EPOCH}
     *                     if another writer recorded a time this cannot read)
     * @param heartbeatAge time since its last heartbeat ({@code lock_expiry} minus the
     *                     heartbeat key's remaining time to live); empty when the heartbeat
     *                     has expired, i.e. the member is dead and about to be reaped
     * @param partitions   the partitions the membership assigns to it (whether or not it has
     *                     acquired them yet: compare with {@link PartitionStatus#owner()})
     */
    public record MemberStatus(String executor, Instant joinedAt, Optional<Duration> heartbeatAge,
                               List<Integer> partitions) {
        /**
         * Checks the parts and copies the partitions.
         *
         * @throws NullPointerException if a part is null
         */
        public MemberStatus {
            Objects.requireNonNull(executor, "executor");
            Objects.requireNonNull(joinedAt, "joinedAt");
            Objects.requireNonNull(heartbeatAge, "heartbeatAge");
            partitions = List.copyOf(partitions);
        }
    }

    /**
     * A failure that halted a worker under the HALT policy, as its halt mark recorded it.
     *
     * @param at       when
     * @param worker   the worker that halted
     * @param eventIds the failed delivery's events (the first ten)
     * @param error    the exception's class name
     * @param message  its message (cut at 500 characters)
     */
    public record Halted(Instant at, String worker, List<String> eventIds, String error, String message) {
        /**
         * Checks the time and copies the event ids.
         *
         * @throws NullPointerException if {@code at} or {@code eventIds} is null
         */
        public Halted {
            Objects.requireNonNull(at, "at");
            eventIds = List.copyOf(eventIds);
        }
    }

    /**
     * One partition of a processor's stream, seen through the processor's consumer group.
     *
     * @param partition        the partition number
     * @param owner            the executor holding the partition's lock, if any
     * @param length           entries in the partition's stream (XLEN)
     * @param pending          entries delivered to the processor and not acknowledged yet
     * @param oldestPendingAge how long ago the oldest pending entry was added (from its
     *                         stream id), empty when nothing is pending
     * @param lag              entries not delivered to the processor yet (see
     *                         {@link io.runnel.api.transport.GroupInfo#lag()}); empty when the
     *                         group does not exist yet (no worker ever ran the processor)
     * @param oldestEntryAge   how long ago the oldest entry left in the partition was added:
     *                         the trim point; empty when the partition is empty
     * @param trimmedUnprocessed entries retention passes found removed before the processor
     *                         read them, in all (0 when none ever were)
     * @param poisoned         whether an executor quarantined the partition and still holds it
     * @param stuckSince       when the delivery its owner's processor function has held longer than
     *                         {@code max_processing_time} was handed out; empty when none is stuck
     * @param halted           the failure that last halted a worker on this partition under the HALT
     *                         policy, until an owner completes a delivery of it; empty when none did
     * @param parkedKeys       the keys the processor parked on this partition under the PARK policy,
     *                         sorted (see {@link ParkedKeys} for their events)
     */
    public record PartitionStatus(int partition, Optional<String> owner, long length, long pending,
                                  Optional<Duration> oldestPendingAge, OptionalLong lag,
                                  Optional<Duration> oldestEntryAge, long trimmedUnprocessed, boolean poisoned,
                                  Optional<Instant> stuckSince, Optional<Halted> halted, List<String> parkedKeys) {
        /**
         * Checks the optional parts and copies the parked keys.
         *
         * @throws NullPointerException if an optional part or {@code parkedKeys} is null
         */
        public PartitionStatus {
            parkedKeys = List.copyOf(parkedKeys);
            Objects.requireNonNull(halted, "halted");
            Objects.requireNonNull(oldestEntryAge, "oldestEntryAge");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(stuckSince, "stuckSince");
            Objects.requireNonNull(oldestPendingAge, "oldestPendingAge");
            Objects.requireNonNull(lag, "lag");
        }
    }
}
