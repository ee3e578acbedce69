// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.transport.ServerMemory;
import io.runnel.engine.MemberStatus;
import io.runnel.engine.PartitionStatus;
import io.runnel.engine.ProcessorStatus;
import io.runnel.engine.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** The status as plain-text tables for a terminal; "-" marks an absent value. */
final class StatusTable {
    private static final String NL = System.lineSeparator();

    private StatusTable() {
    }

    static String render(Status status) {
        StringBuilder out = new StringBuilder();
        out.append("app ").append(status.app()).append(" at ").append(status.at())
                .append("   leader: ").append(status.leader().orElse("none")).append(NL);
        if (status.redisMemory().isEmpty()) {
            out.append("redis memory: unknown").append(NL);
        }
        for (ServerMemory m : status.redisMemory()) {
            out.append("redis memory: ").append(m.describe()).append(NL);
        }
        for (ProcessorStatus p : status.processors()) {
            out.append(NL).append("processor ").append(p.name()).append(" (stream ").append(p.stream())
                    .append(", retention ").append(p.retention())
                    .append(", assignment generation ").append(p.assignmentGeneration()).append(")").append(NL);
            if (p.members().isEmpty()) {
                out.append("  no members").append(NL);
            } else {
                List<List<String>> rows = new ArrayList<>();
                rows.add(List.of("MEMBER", "JOINED", "HEARTBEAT", "PARTITIONS"));
                for (MemberStatus m : p.members()) {
                    rows.add(List.of(m.executor(), m.joinedAt().toString(),
                            m.heartbeatAge().map(age -> age(age) + " ago").orElse("expired"),
                            m.partitions().isEmpty() ? "-" : m.partitions().stream().map(String::valueOf)
                                    .collect(Collectors.joining(","))));
                }
                table(out, rows);
            }
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("PARTITION", "OWNER", "LENGTH", "PENDING", "OLDEST PENDING", "LAG", "OLDEST ENTRY",
                    "TRIMMED UNPROCESSED", "POISONED", "STUCK SINCE", "IN FLIGHT"));
            for (PartitionStatus s : p.partitions()) {
                rows.add(List.of(String.valueOf(s.partition()), s.owner().orElse("-"), String.valueOf(s.length()),
                        String.valueOf(s.pending()), optionalAge(s.oldestPendingAge()),
                        s.lag().isPresent() ? String.valueOf(s.lag().getAsLong()) : "-", optionalAge(s.oldestEntryAge()),
                        String.valueOf(s.trimmedUnprocessed()), s.poisoned() ? "yes" : "no",
                        s.stuckSince().map(Object::toString).orElse("-"), inFlight(s)));
            }
            table(out, rows);
            for (PartitionStatus s : p.partitions()) {
                // Not a column: the error would make every row as wide as its message.
                s.halted().ifPresent(h -> out.append("  partition ").append(s.partition()).append(" halted worker ")
                        .append(h.worker()).append(" at ").append(h.at()).append(" on events ")
                        .append(String.join(",", h.eventIds())).append(": ").append(h.error()).append(": ")
                        .append(h.message()).append(NL));
                if (!s.parkedKeys().isEmpty()) {
                    out.append("  partition ").append(s.partition()).append(" parked keys (runnel parked list): ")
                            .append(String.join(", ", s.parkedKeys())).append(NL);
                }
            }
        }
        return out.toString();
    }

    /** Deliveries in flight and the oldest one's age ("12, oldest 3.5s"), or "-" when the owner does not report them. */
    private static String inFlight(PartitionStatus s) {
        if (s.inFlight().isEmpty()) {
            return "-";
        }
        return s.inFlight().getAsInt() + s.oldestInFlightAge().map(age -> ", oldest " + age(age)).orElse("");
    }

    private static void table(StringBuilder out, List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.size(); i++) {
                line.append(String.format("%-" + widths[i] + "s", row.get(i)));
                if (i < row.size() - 1) {
                    line.append("  ");
                }
            }
            out.append(line.toString().stripTrailing()).append(NL);
        }
    }

    private static String optionalAge(Optional<Duration> age) {
        return age.map(StatusTable::age).orElse("-");
    }

    /** Ages to a tenth of a second below a minute, whole units above. */
    static String age(Duration d) {
        long millis = d.toMillis();
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        if (millis < 3_600_000) {
            return (millis / 60_000) + "m" + (millis % 60_000 / 1000) + "s";
        }
        return (millis / 3_600_000) + "h" + (millis % 3_600_000 / 60_000) + "m";
    }
}
