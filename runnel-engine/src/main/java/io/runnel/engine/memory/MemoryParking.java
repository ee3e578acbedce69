// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.StreamEntry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The parking commands of the in-memory transport, as the Redis scripts of
 * {@code ParkingCommands} run them, inside one atomic store step.
 */
final class MemoryParking {
    private static final Set<String> INTERNAL = Set.of("parked_processor", "parked_key", "parked_id", "parked_at",
            "parked_error");
    private static final String PARKED = "parked";
    private static final String REPLAYING = "replaying ";
    private static final String REPARKED = " reparked";

    private final Keyspace space;
    /** Appends one entry as XADD does (the transport's own append, with its change notices). */
    private final BiFunction<Keyspace, Append, StreamId> append;

    MemoryParking(Keyspace space, BiFunction<Keyspace, Append, StreamId> append) {
        this.space = space;
        this.append = append;
    }

    /** The steps of {@code Transport.parkFenced}, once its fence was found to hold. */
    List<ParkStep.Outcome> park(String group, ParkingKeys keys, List<ParkStep> steps) {
        List<ParkStep.Outcome> outcomes = new ArrayList<>(steps.size());
        for (ParkStep step : steps) {
            Map<String, String> marks = space.hash(keys.marks());
            String mark = marks == null ? null : marks.get(step.key());
            String until = null;
            boolean reparked = false;
            if (mark != null && mark.startsWith(REPLAYING)) {
                String rest = mark.substring(REPLAYING.length());
                reparked = rest.endsWith(REPARKED);
                until = reparked ? rest.substring(0, rest.length() - REPARKED.length()) : rest;
            }
            ParkStep.Outcome outcome = ParkStep.Outcome.PROCESS;
            boolean park = false;
            switch (step.mode()) {
                case FAIL -> {
                    mark(keys, step.key(), PARKED);
                    park = true;
                }
                case FOLLOW -> {
                    if (PARKED.equals(mark)) {
                        park = true;
                    } else if (until != null) {
                        if (step.replayed()) {
                            outcome = step.eventId().equals(until) ? ParkStep.Outcome.PROCESS_LAST : outcome;
                        } else if (!StreamId.parse(step.eventId(), 0).isAfter(StreamId.parse(until, 0))) {
                            mark(keys, step.key(), REPLAYING + until + REPARKED);
                            park = true;
                        }
                    }
                }
                case FINISH -> {
                    if (step.eventId().equals(until) && !reparked) {
                        marks.remove(step.key());
                        if (marks.isEmpty()) {
                            space.remove(keys.marks());
                        }
                    } else if (step.eventId().equals(until)) {
                        mark(keys, step.key(), PARKED);
                        outcome = ParkStep.Outcome.PARKED;
                    } else if (mark != null) {
                        outcome = ParkStep.Outcome.PARKED;
                    }
                }
            }
            if (park) {
                append.apply(space, new Append(keys.parked(), null, step.fields(), 0));
                MemoryStream stream = space.stream(keys.stream());
                ConsumerGroup consumers = stream == null ? null : stream.group(group);
                if (consumers != null) {
                    consumers.ack(List.of(StreamId.parse(step.eventId(), 0)));
                }
                outcome = ParkStep.Outcome.PARKED;
            }
            outcomes.add(outcome);
        }
        return List.copyOf(outcomes);
    }

    /** {@code Transport.releaseParked}. */
    long release(ParkingKeys keys, String processor, String key, boolean replay) {
        Map<String, String> marks = space.hash(keys.marks());
        if (marks == null || !marks.containsKey(key)) {
            return -1;
        }
        MemoryStream parked = space.stream(keys.parked());
        List<StreamEntry> entries = parked == null ? List.of() : parked.range(StreamId.MIN, StreamId.MAX, 0);
        long count = 0;
        StreamId last = null;
        for (StreamEntry entry : entries) {
            Map<String, byte[]> f = entry.fields();
            if (!processor.equals(text(f.get("parked_processor"))) || !key.equals(text(f.get("parked_key")))) {
                continue;
            }
            if (replay) {
                Map<String, byte[]> resent = new LinkedHashMap<>();
                f.forEach((name, value) -> {
                    if (!INTERNAL.contains(name)) {
                        resent.put(name, value);
                    }
                });
                String original = text(f.get("parked_id"));
                resent.put("replay_for", utf8(processor));
                resent.put("replay_key", utf8(key));
                resent.put("replay_of", utf8(original != null ? original : entry.id()));
                last = append.apply(space, new Append(keys.stream(), null, resent, 0));
            }
            parked.delete(StreamId.parse(entry.id(), 0));
            count++;
        }
        if (last != null) {
            marks.put(key, REPLAYING + last);
        } else {
            marks.remove(key);
            if (marks.isEmpty()) {
                space.remove(keys.marks());
            }
        }
        return count;
    }

    /** {@code Transport.appendOnce}: the journal's time to live is set by the caller. */
    List<String> appendOnce(String journal, List<Append> appends, List<String> tokens) {
        Map<String, String> recorded = space.hash(journal);
        if (recorded == null) {
            recorded = new HashMap<>();
            space.put(journal, recorded, 0);
        }
        List<String> ids = new ArrayList<>(appends.size());
        for (int i = 0; i < appends.size(); i++) {
            String id = recorded.get(tokens.get(i));
            if (id == null) {
                id = append.apply(space, appends.get(i)).toString();
                recorded.put(tokens.get(i), id);
            }
            ids.add(id);
        }
        return List.copyOf(ids);
    }

    private void mark(ParkingKeys keys, String key, String value) {
        Map<String, String> marks = space.hash(keys.marks());
        if (marks == null) {
            marks = new HashMap<>();
            space.put(keys.marks(), marks, 0);
        }
        marks.put(key, value);
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
