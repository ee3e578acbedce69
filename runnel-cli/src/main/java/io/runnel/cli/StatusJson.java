// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.api.transport.ServerMemory;
import io.runnel.engine.Halted;
import io.runnel.engine.MemberStatus;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.ProcessorStatus;
import io.runnel.engine.Status;

import java.time.Duration;
import java.util.Optional;

/**
 * The status as JSON, for scripts: snake_case names like the membership records in Redis,
 * times as ISO-8601 text, ages in milliseconds, and null where a value is absent;
 * {@code redis_memory} is empty when the server's memory is unknown.
 */
final class StatusJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private StatusJson() {
    }

    static String render(Status status) {
        ObjectNode root = JSON.createObjectNode();
        root.put("app", status.app());
        root.put("at", status.at().toString());
        root.put("leader", status.leader().orElse(null));
        ArrayNode memory = root.putArray("redis_memory");
        for (ServerMemory m : status.redisMemory()) {
            ObjectNode server = memory.addObject();
            server.put("server", m.server());
            server.put("used_bytes", m.usedBytes());
            server.put("max_bytes", m.maxBytes());
            server.put("policy", m.policy());
            server.put("full", m.full());
        }
        ArrayNode processors = root.putArray("processors");
        for (ProcessorStatus p : status.processors()) {
            ObjectNode processor = processors.addObject();
            processor.put("name", p.name());
            processor.put("stream", p.stream());
            processor.put("retention", p.retention());
            processor.put("assignment_generation", p.assignmentGeneration());
            ArrayNode members = processor.putArray("members");
            for (MemberStatus m : p.members()) {
                ObjectNode member = members.addObject();
                member.put("executor", m.executor());
                member.put("joined_at", m.joinedAt().toString());
                member.put("heartbeat_age_ms", millis(m.heartbeatAge()));
                m.partitions().forEach(member.putArray("partitions")::add);
            }
            ArrayNode partitions = processor.putArray("partitions");
            for (PartitionStatus s : p.partitions()) {
                ObjectNode partition = partitions.addObject();
                partition.put("partition", s.partition());
                partition.put("owner", s.owner().orElse(null));
                partition.put("length", s.length());
                partition.put("pending", s.pending());
                partition.put("oldest_pending_age_ms", millis(s.oldestPendingAge()));
                partition.put("lag", s.lag().isPresent() ? s.lag().getAsLong() : null);
                partition.put("oldest_entry_age_ms", millis(s.oldestEntryAge()));
                partition.put("trimmed_unprocessed", s.trimmedUnprocessed());
                partition.put("poisoned", s.poisoned());
                partition.put("stuck_since", s.stuckSince().map(Object::toString).orElse(null));
                if (s.halted().isPresent()) {
                    Halted h = s.halted().get();
                    ObjectNode halted = partition.putObject("halted");
                    halted.put("at", h.at().toString());
                    halted.put("worker", h.worker());
                    h.eventIds().forEach(halted.putArray("events")::add);
                    halted.put("error", h.error());
                    halted.put("message", h.message());
                } else {
                    partition.putNull("halted");
                }
                s.parkedKeys().forEach(partition.putArray("parked_keys")::add);
                partition.put("in_flight", s.inFlight().isPresent() ? s.inFlight().getAsInt() : null);
                partition.put("oldest_in_flight_age_ms", millis(s.oldestInFlightAge()));
            }
        }
        return root.toPrettyString() + System.lineSeparator();
    }

    private static Long millis(Optional<Duration> duration) {
        return duration.map(Duration::toMillis).orElse(null);
    }
}
