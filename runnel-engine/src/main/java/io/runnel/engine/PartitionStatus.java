// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * One partition of a processor's stream in a {@link Status} ({@link ProcessorStatus#partitions()}),
 * seen through the processor's consumer group.
 *
 * <p>An immutable value that only Runnel creates; a later version may add accessors to it, so
 * read it through its methods. Two are equal when every value they hold is.
 */
public final class PartitionStatus {
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
    private final OptionalInt inFlight;
    private final Optional<Duration> oldestInFlightAge;
    private final OptionalLong entriesRead;
    private final Optional<String> leaseToken;
    private final long oldestPendingDeliveries;

    /**
     * Checks the optional parts and copies the parked keys.
     *
     * @throws NullPointerException if an optional part or {@code parkedKeys} is null
     */
    PartitionStatus(int partition, Optional<String> owner, long length, long pending,
                    Optional<Duration> oldestPendingAge, OptionalLong lag, Optional<Duration> oldestEntryAge,
                    long trimmedUnprocessed, boolean poisoned, Optional<Instant> stuckSince,
                    Optional<Halted> halted, List<String> parkedKeys, OptionalInt inFlight,
                    Optional<Duration> oldestInFlightAge, OptionalLong entriesRead, Optional<String> leaseToken,
                    long oldestPendingDeliveries) {
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
        this.inFlight = Objects.requireNonNull(inFlight, "inFlight");
        this.oldestInFlightAge = Objects.requireNonNull(oldestInFlightAge, "oldestInFlightAge");
        this.entriesRead = Objects.requireNonNull(entriesRead, "entriesRead");
        this.leaseToken = Objects.requireNonNull(leaseToken, "leaseToken");
        this.oldestPendingDeliveries = oldestPendingDeliveries;
    }

    /**
     * How many times the partition's oldest pending entry was delivered: more than 1 when it
     * was retried, or handed to a new owner, without being acknowledged.
     *
     * @return the delivery count; 0 when nothing is pending
     */
    public long oldestPendingDeliveries() {
        return oldestPendingDeliveries;
    }

    /**
     * The value of the partition's lock: its owner's token for this lease ({@code <executor>:<epoch>}),
     * which every ack and commit of the owner is fenced by.
     *
     * @return the token, or empty when no one holds the lock
     */
    public Optional<String> leaseToken() {
        return leaseToken;
    }

    /**
     * How many entries the processor's group has read from the partition since it was
     * created: a counter whose growth over time is the partition's delivery rate.
     *
     * @return the count, or empty when Redis does not know it
     */
    public OptionalLong entriesRead() {
        return entriesRead;
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

    /**
     * Deliveries the owner's processor function held at once on this partition, as of the
     * owner's last heartbeat (every {@code lock_expiry} / 4). Reported by the owners of
     * per-record processors with {@code max_in_flight} above 1.
     *
     * @return the number of deliveries; empty when the owner does not report it
     */
    public OptionalInt inFlight() {
        return inFlight;
    }

    /**
     * How long the oldest of the deliveries in {@link #inFlight()} has been with the
     * processor function, now.
     *
     * @return its age; empty when none was in flight or the owner does not report it
     */
    public Optional<Duration> oldestInFlightAge() {
        return oldestInFlightAge;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PartitionStatus p && partition == p.partition && owner.equals(p.owner)
                && length == p.length && pending == p.pending && oldestPendingAge.equals(p.oldestPendingAge)
                && lag.equals(p.lag) && oldestEntryAge.equals(p.oldestEntryAge)
                && trimmedUnprocessed == p.trimmedUnprocessed && poisoned == p.poisoned
                && stuckSince.equals(p.stuckSince) && halted.equals(p.halted) && parkedKeys.equals(p.parkedKeys)
                && inFlight.equals(p.inFlight) && oldestInFlightAge.equals(p.oldestInFlightAge)
                && entriesRead.equals(p.entriesRead) && leaseToken.equals(p.leaseToken)
                && oldestPendingDeliveries == p.oldestPendingDeliveries;
    }

    @Override
    public int hashCode() {
        return Objects.hash(partition, owner, length, pending, oldestPendingAge, lag, oldestEntryAge,
                trimmedUnprocessed, poisoned, stuckSince, halted, parkedKeys, inFlight, oldestInFlightAge, entriesRead,
                leaseToken, oldestPendingDeliveries);
    }

    @Override
    public String toString() {
        return "PartitionStatus[partition=" + partition + ", owner=" + owner + ", length=" + length
                + ", pending=" + pending + ", oldestPendingAge=" + oldestPendingAge + ", lag=" + lag
                + ", oldestEntryAge=" + oldestEntryAge + ", trimmedUnprocessed=" + trimmedUnprocessed
                + ", poisoned=" + poisoned + ", stuckSince=" + stuckSince + ", halted=" + halted
                + ", parkedKeys=" + parkedKeys + ", inFlight=" + inFlight + ", oldestInFlightAge=" + oldestInFlightAge
                + ", entriesRead=" + entriesRead + ", leaseToken=" + leaseToken
                + ", oldestPendingDeliveries=" + oldestPendingDeliveries + "]";
    }
}
