// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an executor has in flight on each partition it owns, as its heartbeat writes it for
 * status views in other processes ({@link Keys#inFlight}): per partition, the number of
 * deliveries the processor function holds and when the oldest was handed out, as JSON
 * {@code {"3": {"in_flight": 12, "oldest_since": "2026-12-07T07:00:00Z"}}}.
 */
final class InFlightReport {

    /** One partition's line of a report. */
    record Line(int inFlight, Optional<Instant> oldestSince) {
    }

    private InFlightReport() {
    }

    /** The report of {@code running}, now; the times are turned from ticker readings into instants. */
    static String write(Map<Integer, RunningPartition> running, Ticker ticker, Clock clock) {
        long now = ticker.nanos();
        Instant wallNow = clock.instant();
        Map<String, Object> report = new LinkedHashMap<>();
        running.forEach((partition, r) -> {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("in_flight", r.inFlight());
            Holding oldest = r.holding();
            if (oldest != null) {
                line.put("oldest_since", wallNow.minusNanos(Math.max(0, now - oldest.since())).toString());
            }
            report.put(Integer.toString(partition), line);
        });
        return Json.write(report);
    }

    /** The lines of a report, by partition; empty if it cannot be read. */
    static Map<Integer, Line> read(String report) {
        Map<Integer, Line> lines = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object> e : Json.readObject(report).entrySet()) {
                Object line = e.getValue();
                String since = Json.text(Json.member(line, "oldest_since"));
                lines.put(Integer.parseInt(e.getKey()), new Line(Integer.parseInt(Json.text(Json.member(line, "in_flight"))),
                        since.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(since))));
            }
            return lines;
        } catch (IOException | RuntimeException unreadable) {
            return Map.of();
        }
    }

    /** How long ago {@code since} was, at {@code at}, never negative. */
    static Duration age(Instant since, Instant at) {
        Duration age = Duration.between(since, at);
        return age.isNegative() ? Duration.ZERO : age;
    }
}
