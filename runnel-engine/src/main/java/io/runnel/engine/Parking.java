// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Event;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The PARK policy on one owned partition, on its consumer's thread: parks the keys whose
 * events fail, and keeps every later event of a parked key from the processor function, in
 * order, until an operator replays or drops the key (see {@link ParkedKeys}).
 *
 * <p>Which keys are parked lives in Redis (the partition's parking hash); this class keeps
 * a superset of them, loaded when the partition is taken and grown by its own parking, so
 * that an event of any other key goes through with a set lookup and no round trip. An event
 * of a key in the set is checked on the server, atomically with its parking. A key dropped
 * or replayed by an operator leaves the set at its next event.
 *
 * <p>A re-sent event (a replay of parked events or of dead letters) names the processor it
 * is for in {@code replay_for}; the stream's other processors skip it.
 */
final class Parking {
    private static final Logger log = LoggerFactory.getLogger(Parking.class);
    /**
     * Every writer of a re-send (dead-letter replay, the parked-release scripts, the memory
     * transport) writes it together with {@link #REPLAY_OF} or {@link #REPLAY_KEY}: a re-send
     * has two fields at least, which {@link #concerns} relies on to skip one-field events.
     */
    static final String REPLAY_FOR = "replay_for";
    static final String REPLAY_KEY = "replay_key";
    static final String REPLAY_OF = "replay_of";
    /** The parking key of a stream without a partition key function. */
    static final String NO_KEY = Stream.NO_KEY;
    private static final String UNDECODABLE = "undecodable:";
    private static final int MESSAGE_LIMIT = 500;

    private final Processor<?> processor;
    private final Transport transport;
    private final Lease lease;
    private final ParkingKeys keys;
    private final byte[] processorName;
    /** Keys that may be parked: every key the server has parked on this partition, and maybe more. */
    private final Set<String> parked = new HashSet<>();
    /** Ids of re-sends that end their key's replay once processed, with their keys. */
    private final Map<String, String> replayEnds = new HashMap<>();

    Parking(Processor<?> processor, Lease lease) {
        this.processor = processor;
        this.transport = processor.stream().host().transport();
        this.lease = lease;
        this.keys = processor.parkingKeys(lease.partition);
        this.processorName = utf8(processor.name());
    }

    /**
     * Loads the partition's parked keys, trying again while the server cannot answer.
     *
     * @param closed whether the partition was released meanwhile (then gives up)
     * @return false when the partition was released before the keys could be read
     */
    boolean load(Pauses closed) {
        Map<String, String> marks = untilAnswered("reading the parked keys of", () -> transport.getHash(keys.marks()), closed);
        if (marks == null) {
            return false;
        }
        parked.addAll(marks.keySet());
        processor.metrics().parkedKeys(marks.size());
        if (!marks.isEmpty()) {
            log.info("partition {} of processor {} has {} parked key(s): their events wait for `runnel parked replay`",
                    lease.partition, processor.name(), marks.size());
        }
        return true;
    }

    /** Whether {@link #admit} has anything to do for these events: some key is parked, or one is a re-send. */
    boolean concerns(List<Event> events) {
        if (!parked.isEmpty()) {
            return true;
        }
        for (int i = 0; i < events.size(); i++) {
            // A re-send carries the marker and always another field (replay_of or replay_key),
            // so an event with one field is none: this spares the map lookup, a cache miss per
            // event, in the usual case (one `data` field).
            Map<String, byte[]> fields = events.get(i).fields();
            if (fields.size() > 1 && fields.containsKey(REPLAY_FOR)) {
                return true;
            }
        }
        return false;
    }

    /** What {@link #admit} decided. */
    record Admitted(List<Event> events, List<String> skipped) {
    }

    /**
     * Decides, in order, which events go to the function: an event of a parked key is parked
     * (and so acknowledged) on the server; a re-send for another processor is skipped, to be
     * acknowledged by the caller.
     *
     * @return null when the lease no longer held or the partition was released meanwhile
     */
    Admitted admit(List<Event> events, Pauses closed) {
        List<Event> through = new ArrayList<>(events.size());
        List<String> skipped = new ArrayList<>();
        List<ParkStep> steps = new ArrayList<>();
        List<Integer> stepped = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            byte[] replayFor = e.fields().get(REPLAY_FOR);
            if (replayFor != null && !Arrays.equals(replayFor, processorName)) {
                skipped.add(e.id());
                continue;
            }
            if (parked.isEmpty()) {
                through.add(e);
                continue;
            }
            String key = keyOf(e);
            if (!parked.contains(key)) {
                through.add(e);
                continue;
            }
            steps.add(new ParkStep(ParkStep.Mode.FOLLOW, key, e.id(), isReplayOf(e, key), parkedFields(e, key, null)));
            stepped.add(through.size());
            through.add(e);
        }
        if (steps.isEmpty()) {
            return new Admitted(through, skipped);
        }
        Optional<List<ParkStep.Outcome>> outcomes = untilAnswered("parking events of",
                () -> transport.parkFenced(lease.fence, processor.group(), keys, steps), closed);
        if (outcomes == null || outcomes.isEmpty()) {
            return null;
        }
        List<Event> admitted = new ArrayList<>(through.size());
        int parkedNow = 0;
        for (int i = 0, s = 0; i < through.size(); i++) {
            if (s < stepped.size() && stepped.get(s) == i) {
                ParkStep step = steps.get(s);
                switch (outcomes.get().get(s++)) {
                    case PARKED -> {
                        parkedNow++;
                        continue;
                    }
                    case PROCESS_LAST -> replayEnds.put(step.eventId(), step.key());
                    case PROCESS -> {
                        if (!step.replayed()) {
                            forget(step.key()); // not parked, or released by its replay's end already
                        }
                    }
                }
            }
            admitted.add(through.get(i));
        }
        if (parkedNow > 0) {
            processor.metrics().parked(lease.partition, parkedNow);
            log.info("parked {} event(s) of partition {} behind their parked key(s)", parkedNow, lease.partition);
        }
        return new Admitted(admitted, skipped);
    }

    /**
     * Parks the keys of a failed delivery with its events (which the server acknowledges).
     *
     * @return false when the lease no longer held or the partition was released meanwhile
     *         (the events stay pending for the next owner)
     */
    boolean parkFailed(List<Event> events, Throwable error, Pauses closed) {
        String reason = reason(error);
        List<ParkStep> steps = new ArrayList<>(events.size());
        for (Event e : events) {
            String key = keyOf(e);
            steps.add(new ParkStep(ParkStep.Mode.FAIL, key, e.id(), false, parkedFields(e, key, reason)));
        }
        Optional<List<ParkStep.Outcome>> outcomes = untilAnswered("parking the failed events of",
                () -> transport.parkFenced(lease.fence, processor.group(), keys, steps), closed);
        if (outcomes == null || outcomes.isEmpty()) {
            return false;
        }
        for (ParkStep step : steps) {
            replayEnds.remove(step.eventId());
            if (parked.add(step.key())) {
                processor.metrics().parkedKeys(1);
            }
        }
        processor.metrics().parked(lease.partition, steps.size());
        log.warn("processor {} parked key(s) {} of partition {} with their event(s) {}: {}. Their later events are "
                + "parked too, in order, until `runnel parked replay` or `drop`", processor.name(),
                steps.stream().map(ParkStep::key).distinct().toList(), lease.partition,
                steps.stream().map(ParkStep::eventId).toList(), reason);
        return true;
    }

    /** Ends the replays whose last re-sends are among these processed events; before they are acknowledged. */
    void processed(List<Event> events) {
        if (replayEnds.isEmpty()) {
            return;
        }
        for (Event e : events) {
            String key = replayEnds.remove(e.id());
            if (key == null) {
                continue;
            }
            try {
                Optional<List<ParkStep.Outcome>> outcome = transport.parkFenced(lease.fence, processor.group(), keys,
                        List.of(new ParkStep(ParkStep.Mode.FINISH, key, e.id(), true, Map.of())));
                if (outcome.isPresent() && outcome.get().get(0) == ParkStep.Outcome.PROCESS) {
                    forget(key);
                    log.info("replay of parked key {} on partition {} is complete; the key is no longer parked", key,
                            lease.partition);
                } else if (outcome.isPresent()) {
                    log.warn("replay of parked key {} on partition {} is complete, but events of the key arrived during "
                            + "it and were parked again: replay it again", key, lease.partition);
                }
            } catch (TransportException failure) {
                // The key stays marked as replaying: its later events still go through in order.
                log.warn("could not record the end of the replay of parked key {}: {}", key, failure.getMessage());
            }
        }
    }

    /** The consumer stops: its keys no longer count in this worker's gauge. */
    void close() {
        processor.metrics().parkedKeys(-parked.size());
        parked.clear();
    }

    private void forget(String key) {
        if (parked.remove(key)) {
            processor.metrics().parkedKeys(-1);
        }
    }

    /** A re-send of its key's replay for this processor. */
    private boolean isReplayOf(Event e, String key) {
        byte[] replayKey = e.fields().get(REPLAY_KEY);
        return replayKey != null && key.equals(text(replayKey));
    }

    /** The event's partition key as text; a re-send names its own, and an undecodable event is a key by itself. */
    private String keyOf(Event e) {
        byte[] replayKey = e.fields().get(REPLAY_KEY);
        if (replayKey != null) {
            return text(replayKey);
        }
        try {
            return processor.stream().parkingKey(e.fields());
        } catch (RuntimeException undecodable) {
            return UNDECODABLE + e.id();
        }
    }

    /** The entry a parked event becomes: its own fields, then where it came from. */
    private Map<String, byte[]> parkedFields(Event e, String key, String error) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        e.fields().forEach((name, value) -> {
            if (!name.startsWith("replay_")) {
                fields.put(name, value);
            }
        });
        byte[] original = e.fields().get(REPLAY_OF);
        fields.put("parked_processor", processorName);
        fields.put("parked_key", utf8(key));
        fields.put("parked_id", original != null ? original : utf8(e.id()));
        fields.put("parked_at", utf8(Instant.now().toString()));
        if (error != null) {
            fields.put("parked_error", utf8(error));
        }
        return fields;
    }

    private static String reason(Throwable error) {
        String reason = error.getClass().getName() + ": " + error.getMessage();
        return reason.length() > MESSAGE_LIMIT ? reason.substring(0, MESSAGE_LIMIT) + "…" : reason;
    }

    /** Waits between tries; says whether the partition was released meanwhile. */
    @FunctionalInterface
    interface Pauses {
        /** @return true once the partition is released (stop trying) */
        boolean pause(Duration pause);
    }

    /**
     * Runs a call until the server answers, backing off between tries and warning once (the server
     * unreachable, or refusing to park because its memory is full: then nothing was parked or
     * acknowledged, and the partition waits); null once the partition is released.
     */
    private <T> T untilAnswered(String what, Supplier<T> call, Pauses closed) {
        Outage outage = new Outage(log, what + " partition " + lease.partition, processor.metrics().redisOom());
        while (true) {
            try {
                T answer = call.get();
                outage.succeeded();
                return answer;
            } catch (TransportException e) {
                if (closed.pause(outage.failed(e))) {
                    return null;
                }
            }
        }
    }

    private static String text(byte[] value) {
        return new String(value, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
