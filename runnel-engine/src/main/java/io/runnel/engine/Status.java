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
 * <p>This class and its nested ones are immutable values that only Runnel creates; a later
 * version may add accessors to them (as Redis comes to hold more about an app), so read them
 * through their methods. Two snapshots are equal when every value they hold is.
 */
public final class Status {
    private final String app;
    private final Instant at;
    private final Optional<String> leader;
    private final List<ProcessorStatus> processors;
    private final List<ServerMemory> redisMemory;

    /**
     * Checks the parts and copies the lists.
     *
     * @throws NullPointerException if a part is null
     */
    Status(String app, Instant at, Optional<String> leader, List<ProcessorStatus> processors,
           List<ServerMemory> redisMemory) {
        this.app = Objects.requireNonNull(app, "app");
        this.at = Objects.requireNonNull(at, "at");
        this.leader = Objects.requireNonNull(leader, "leader");
        this.processors = List.copyOf(processors);
        this.redisMemory = List.copyOf(redisMemory);
    }

    /**
     * The app's name.
     *
     * @return the name
     */
    public String app() {
        return app;
    }

    /**
     * When the snapshot was taken, on the app's clock; the ages in it are relative to this.
     *
     * @return the time of the snapshot
     */
    public Instant at() {
        return at;
    }

    /**
     * The worker holding the app's leadership ({@code __lead:<app>}).
     *
     * @return its id; empty when no worker leads
     */
    public Optional<String> leader() {
        return leader;
    }

    /**
     * Every processor the app defines.
     *
     * @return their statuses, in definition order
     */
    public List<ProcessorStatus> processors() {
        return processors;
    }

    /**
     * How full Redis's memory is.
     *
     * @return one entry for a single server, one per master of a Redis Cluster; empty when
     *         unknown (the in-memory transport, or a server that does not let this user read
     *         {@code INFO})
     */
    public List<ServerMemory> redisMemory() {
        return redisMemory;
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

    @Override
    public boolean equals(Object o) {
        return o instanceof Status s && app.equals(s.app) && at.equals(s.at) && leader.equals(s.leader)
                && processors.equals(s.processors) && redisMemory.equals(s.redisMemory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(app, at, leader, processors, redisMemory);
    }

    @Override
    public String toString() {
        return "Status[app=" + app + ", at=" + at + ", leader=" + leader + ", processors=" + processors
                + ", redisMemory=" + redisMemory + "]";
    }

    /** One processor: its members (executors, one per worker running it) and its partitions. */
    public static final class ProcessorStatus {
        private final String name;
        private final String stream;
        private final String retention;
        private final long assignmentGeneration;
        private final List<MemberStatus> members;
        private final List<PartitionStatus> partitions;

        /**
         * Checks the parts and copies the lists.
         *
         * @throws NullPointerException if a part is null
         */
        ProcessorStatus(String name, String stream, String retention, long assignmentGeneration,
                        List<MemberStatus> members, List<PartitionStatus> partitions) {
            this.name = Objects.requireNonNull(name, "name");
            this.stream = Objects.requireNonNull(stream, "stream");
            this.retention = Objects.requireNonNull(retention, "retention");
            this.assignmentGeneration = assignmentGeneration;
            this.members = List.copyOf(members);
            this.partitions = List.copyOf(partitions);
        }

        /**
         * The processor's name, which is also its consumer group's.
         *
         * @return the name
         */
        public String name() {
            return name;
        }

        /**
         * The stream the processor reads.
         *
         * @return the stream's name
         */
        public String stream() {
            return stream;
        }

        /**
         * The stream's retention as this app defines it.
         *
         * @return {@code acked} or {@code maxlen N}, then any limits
         */
        public String retention() {
            return retention;
        }

        /**
         * How many times the membership record (who is assigned which partitions) has changed.
         *
         * @return the generation; 0 before any worker joined
         */
        public long assignmentGeneration() {
            return assignmentGeneration;
        }

        /**
         * The members recorded in {@code __memb:…}.
         *
         * @return the members, oldest first
         */
        public List<MemberStatus> members() {
            return members;
        }

        /**
         * Every partition of the stream.
         *
         * @return their statuses, in partition order
         */
        public List<PartitionStatus> partitions() {
            return partitions;
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

        @Override
        public boolean equals(Object o) {
            return o instanceof ProcessorStatus p && name.equals(p.name) && stream.equals(p.stream)
                    && retention.equals(p.retention) && assignmentGeneration == p.assignmentGeneration
                    && members.equals(p.members) && partitions.equals(p.partitions);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, stream, retention, assignmentGeneration, members, partitions);
        }

        @Override
        public String toString() {
            return "ProcessorStatus[name=" + name + ", stream=" + stream + ", retention=" + retention
                    + ", assignmentGeneration=" + assignmentGeneration + ", members=" + members
                    + ", partitions=" + partitions + "]";
        }
    }

    /** One member of a processor: an executor inside a worker. */
    public static final class MemberStatus {
        private final String executor;
        private final Instant joinedAt;
        private final Optional<Duration> heartbeatAge;
        private final List<Integer> partitions;

        /**
         * Checks the parts and copies the partitions.
         *
         * @throws NullPointerException if a part is null
         */
        MemberStatus(String executor, Instant joinedAt, Optional<Duration> heartbeatAge, List<Integer> partitions) {
            this.executor = Objects.requireNonNull(executor, "executor");
            this.joinedAt = Objects.requireNonNull(joinedAt, "joinedAt");
            this.heartbeatAge = Objects.requireNonNull(heartbeatAge, "heartbeatAge");
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
                    && heartbeatAge.equals(m.heartbeatAge) && partitions.equals(m.partitions);
        }

        @Override
        public int hashCode() {
            return Objects.hash(executor, joinedAt, heartbeatAge, partitions);
        }

        @Override
        public String toString() {
            return "MemberStatus[executor=" + executor + ", joinedAt=" + joinedAt + ", heartbeatAge=" + heartbeatAge
                    + ", partitions=" + partitions + "]";
        }
    }

    /** A failure that halted a worker under the HALT policy, as its halt mark recorded it. */
    public static final class Halted {
        private final Instant at;
        private final String worker;
        private final List<String> eventIds;
        private final String error;
        private final String message;

        /**
         * Checks the time and copies the event ids.
         *
         * @throws NullPointerException if {@code at} or {@code eventIds} is null
         */
        Halted(Instant at, String worker, List<String> eventIds, String error, String message) {
            this.at = Objects.requireNonNull(at, "at");
            this.worker = worker;
            this.eventIds = List.copyOf(eventIds);
            this.error = error;
            this.message = message;
        }

        /**
         * When the worker halted.
         *
         * @return the time
         */
        public Instant at() {
            return at;
        }

        /**
         * The worker that halted.
         *
         * @return its id
         */
        public String worker() {
            return worker;
        }

        /**
         * The failed delivery's events.
         *
         * @return the ids of its first ten events
         */
        public List<String> eventIds() {
            return eventIds;
        }

        /**
         * The exception's class name.
         *
         * @return the class name
         */
        public String error() {
            return error;
        }

        /**
         * The exception's message.
         *
         * @return the message, cut at 500 characters
         */
        public String message() {
            return message;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Halted h && at.equals(h.at) && Objects.equals(worker, h.worker)
                    && eventIds.equals(h.eventIds) && Objects.equals(error, h.error)
                    && Objects.equals(message, h.message);
        }

        @Override
        public int hashCode() {
            return Objects.hash(at, worker, eventIds, error, message);
        }

        @Override
        public String toString() {
            return "Halted[at=" + at + ", worker=" + worker + ", eventIds=" + eventIds + ", error=" + error
                    + ", message=" + message + "]";
        }
    }

    /** One partition of a processor's stream, seen through the processor's consumer group. */
    public static final class PartitionStatus {
        private final int partition;
        private final Optional<String> owner;
        private final long length;
        private final long pending;
        private final Optional<Duration> oldestPendingAge;
        private final OptionalLong lag;
        private final Optional<Duration> oldestEntryAge;
        private final long trimmedUnprocessed;
        private final boolean poisoned;
        private final Optional<Instant> stuckSince;
        private final Optional<Halted> halted;
        private final List<String> parkedKeys;

        /**
         * Checks the optional parts and copies the parked keys.
         *
         * @throws NullPointerException if an optional part or {@code parkedKeys} is null
         */
        PartitionStatus(int partition, Optional<String> owner, long length, long pending,
                        Optional<Duration> oldestPendingAge, OptionalLong lag, Optional<Duration> oldestEntryAge,
                        long trimmedUnprocessed, boolean poisoned, Optional<Instant> stuckSince,
                        Optional<Halted> halted, List<String> parkedKeys) {
            this.partition = partition;
            this.owner = Objects.requireNonNull(owner, "owner");
            this.length = length;
            this.pending = pending;
            this.oldestPendingAge = Objects.requireNonNull(oldestPendingAge, "oldestPendingAge");
            this.lag = Objects.requireNonNull(lag, "lag");
            this.oldestEntryAge = Objects.requireNonNull(oldestEntryAge, "oldestEntryAge");
            this.trimmedUnprocessed = trimmedUnprocessed;
            this.poisoned = poisoned;
            this.stuckSince = Objects.requireNonNull(stuckSince, "stuckSince");
            this.halted = Objects.requireNonNull(halted, "halted");
            this.parkedKeys = List.copyOf(parkedKeys);
        }

        /**
         * The partition's number.
         *
         * @return the number, from 0
         */
        public int partition() {
            return partition;
        }

        /**
         * The executor holding the partition's lock.
         *
         * @return its id; empty when no executor holds it
         */
        public Optional<String> owner() {
            return owner;
        }

        /**
         * Entries in the partition's stream (XLEN).
         *
         * @return the number of entries
         */
        public long length() {
            return length;
        }

        /**
         * Entries delivered to the processor and not acknowledged yet.
         *
         * @return the number of pending entries
         */
        public long pending() {
            return pending;
        }

        /**
         * How long ago the oldest pending entry was added (from its stream id).
         *
         * @return the age; empty when nothing is pending
         */
        public Optional<Duration> oldestPendingAge() {
            return oldestPendingAge;
        }

        /**
         * Entries not delivered to the processor yet (see
         * {@link io.runnel.api.transport.GroupInfo#lag()}).
         *
         * @return the lag; empty when the group does not exist yet (no worker ever ran the
         *         processor)
         */
        public OptionalLong lag() {
            return lag;
        }

        /**
         * How long ago the oldest entry left in the partition was added: the trim point.
         *
         * @return the age; empty when the partition is empty
         */
        public Optional<Duration> oldestEntryAge() {
            return oldestEntryAge;
        }

        /**
         * Entries retention passes found removed before the processor read them, in all.
         *
         * @return the number of entries; 0 when none ever were
         */
        public long trimmedUnprocessed() {
            return trimmedUnprocessed;
        }

        /**
         * Whether an executor quarantined the partition and still holds it.
         *
         * @return true while the partition is quarantined
         */
        public boolean poisoned() {
            return poisoned;
        }

        /**
         * When the delivery that its owner's processor function has held longer than
         * {@code max_processing_time} was handed out.
         *
         * @return the time; empty when no delivery is stuck
         */
        public Optional<Instant> stuckSince() {
            return stuckSince;
        }

        /**
         * The failure that last halted a worker on this partition under the HALT policy; it
         * stays until an owner completes a delivery of the partition.
         *
         * @return the failure; empty when none did
         */
        public Optional<Halted> halted() {
            return halted;
        }

        /**
         * The keys the processor parked on this partition under the PARK policy (see
         * {@link ParkedKeys} for their events).
         *
         * @return the keys, sorted
         */
        public List<String> parkedKeys() {
            return parkedKeys;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PartitionStatus p && partition == p.partition && owner.equals(p.owner)
                    && length == p.length && pending == p.pending && oldestPendingAge.equals(p.oldestPendingAge)
                    && lag.equals(p.lag) && oldestEntryAge.equals(p.oldestEntryAge)
                    && trimmedUnprocessed == p.trimmedUnprocessed && poisoned == p.poisoned
                    && stuckSince.equals(p.stuckSince) && halted.equals(p.halted) && parkedKeys.equals(p.parkedKeys);
        }

        @Override
        public int hashCode() {
            return Objects.hash(partition, owner, length, pending, oldestPendingAge, lag, oldestEntryAge,
                    trimmedUnprocessed, poisoned, stuckSince, halted, parkedKeys);
        }

        @Override
        public String toString() {
            return "PartitionStatus[partition=" + partition + ", owner=" + owner + ", length=" + length
                    + ", pending=" + pending + ", oldestPendingAge=" + oldestPendingAge + ", lag=" + lag
                    + ", oldestEntryAge=" + oldestEntryAge + ", trimmedUnprocessed=" + trimmedUnprocessed
                    + ", poisoned=" + poisoned + ", stuckSince=" + stuckSince + ", halted=" + halted
                    + ", parkedKeys=" + parkedKeys + "]";
        }
    }
}
