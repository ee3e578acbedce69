// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.ServerMemory;
import io.runnel.api.transport.Transport;

import java.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Builds a {@link Status} from what Redis holds. Strictly a reader: it only GETs, reads
 * times to live, lengths, group info and the server's memory ({@code INFO memory}), so it
 * never joins, locks or creates anything.
 */
final class StatusReader {
    private final String app;
    private final List<Processor<?>> processors;
    private final Function<Processor<?>, Membership> membership;
    private final Transport transport;
    private final Clock clock;

    /**
     * @param processors the app's processors, in definition order
     * @param membership the membership of each
     */
    StatusReader(String app, List<Processor<?>> processors, Function<Processor<?>, Membership> membership,
                 Transport transport, Clock clock) {
        this.app = app;
        this.processors = processors;
        this.membership = membership;
        this.transport = transport;
        this.clock = clock;
    }

    Status read() {
        Instant at = clock.instant();
        Optional<String> leader = transport.get(Keys.leader(app));
        List<ProcessorStatus> processors = new ArrayList<>();
        for (Processor<?> p : this.processors) {
            processors.add(processor(p, at));
        }
        return new Status(app, at, leader, processors, redisMemory());
    }

    /** INFO memory of the server (each master); empty if this user may not read it: that must not fail the status. */
    private List<ServerMemory> redisMemory() {
        try {
            return transport.serverMemory();
        } catch (CommandRejected e) {
            return List.of();
        }
    }

    private ProcessorStatus processor(Processor<?> p, Instant at) {
        List<MemberStatus> members = new ArrayList<>();
        Map<String, Map<Integer, InFlightReport.Line>> inFlight = new HashMap<>();
        for (Map.Entry<String, Membership.Member> m : membership.apply(p).read().entrySet()) {
            if (p.maxInFlight() > 1) {
                transport.get(p.inFlightKey(m.getKey()))
                        .ifPresent(report -> inFlight.put(m.getKey(), InFlightReport.read(report)));
            }
            Optional<Duration> ttl = transport.timeToLive(p.heartbeatKey(m.getKey()));
            Optional<Duration> age = ttl.map(left -> max(Duration.ZERO, p.lockExpiry().minus(left)));
            members.add(new MemberStatus(m.getKey(), joinedAt(m.getValue().joinedAt()), age,
                    m.getValue().partitions(), transport.get(p.reservationKey(m.getKey())).isPresent()));
        }
        int count = p.stream().partitionCount();
        List<Integer> numbers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            numbers.add(i);
        }
        List<Optional<String>> owners = transport.getAll(numbers.stream().map(p::lockKey).toList());
        List<Optional<String>> poisons = transport.getAll(numbers.stream().map(p::poisonedKey).toList());
        List<Optional<String>> stuck = transport.getAll(numbers.stream().map(p::stuckKey).toList());
        List<Optional<String>> halts = transport.getAll(numbers.stream().map(p::haltedKey).toList());
        List<PartitionStatus> partitions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = p.stream().partitionKey(i);
            long length = lengthOf(key);
            Optional<GroupInfo> group = transport.groupInfo(key, p.group());
            Optional<Duration> oldestEntryAge = length == 0 ? Optional.empty()
                    : transport.range(key, "-", "+", 1).stream().findFirst().map(e -> ageOf(e.id(), at));
            Optional<String> owner = owners.get(i).map(PartitionLocks::ownerOf);
            int partition = i;
            Optional<InFlightReport.Line> line = owner.map(inFlight::get).map(lines -> lines.get(partition));
            partitions.add(new PartitionStatus(i, owner, length,
                    group.map(GroupInfo::pending).orElse(0L),
                    group.flatMap(GroupInfo::oldestPendingId).map(id -> ageOf(id, at)),
                    group.map(GroupInfo::lag).orElse(OptionalLong.empty()),
                    oldestEntryAge,
                    trimmedUnprocessed(p, i),
                    poisons.get(i).isPresent(),
                    stuck.get(i).flatMap(StatusReader::stuckSince),
                    halts.get(i).flatMap(StatusReader::halted),
                    transport.getHash(p.parkingKeys(i).marks()).keySet().stream().sorted().toList(),
                    line.map(l -> OptionalInt.of(l.inFlight())).orElse(OptionalInt.empty()),
                    line.flatMap(InFlightReport.Line::oldestSince).map(since -> InFlightReport.age(since, at)),
                    group.map(GroupInfo::entriesRead).orElse(OptionalLong.empty()), owners.get(i),
                    group.map(GroupInfo::oldestPendingDeliveries).orElse(0L)));
        }
        long generation = transport.get(p.assignmentGenerationKey()).map(Long::parseLong).orElse(0L);
        return new ProcessorStatus(p.name(), p.stream().name(), p.stream().retention().describe(), generation,
                members, partitions);
    }

    /** The losses retention passes recorded for the processor's group; 0 if unreadable. */
    private long trimmedUnprocessed(Processor<?> p, int partition) {
        String total = transport.getHash(p.retentionKey(partition)).get(RetentionPass.lostField(p.group()));
        try {
            return total == null ? 0 : Long.parseLong(total);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A key overwritten with another type holds no entries to show (its executor has
     * quarantined the partition, which {@code poisoned} shows); one such key must not make
     * the whole status fail.
     */
    private long lengthOf(String key) {
        try {
            return transport.length(key);
        } catch (CommandRejected e) {
            if (e.isWrongType()) {
                return 0;
            }
            throw e;
        }
    }

    /** A halt mark as written by {@link PartitionMarks#halted}; empty if it cannot be read. */
    private static Optional<Halted> halted(String mark) {
        try {
            Map<String, Object> json = Json.readObject(mark);
            List<String> ids = new ArrayList<>();
            Json.list(json.get("events")).forEach(id -> ids.add(Json.text(id)));
            return Optional.of(new Halted(Instant.parse(Json.text(json.get("halted_at"))), Json.text(json.get("worker")),
                    ids, Json.text(json.get("error")), Json.text(json.get("message"))));
        } catch (IOException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The {@code stuck_since} of a stuck mark; empty if the mark cannot be read. */
    private static Optional<Instant> stuckSince(String mark) {
        try {
            return Optional.of(Instant.parse(Json.text(Json.readObject(mark).get("stuck_since"))));
        } catch (IOException | DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The age of a stream entry: its id starts with the millisecond it was added. */
    private static Duration ageOf(String streamId, Instant at) {
        int dash = streamId.indexOf('-');
        long millis = Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
        return max(Duration.ZERO, Duration.between(Instant.ofEpochMilli(millis), at));
    }

    /** Membership times are naive UTC ISO times (Python's isoformat); tolerate an offset too. */
    private static Instant joinedAt(String text) {
        try {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException naiveFailed) {
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                return Instant.EPOCH;
            }
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
