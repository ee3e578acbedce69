// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.ParkingKeys;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * An operator's view of the keys one processor parked under
 * {@link io.runnel.api.ExceptionPolicy#PARK}, from {@link App#parkedKeys(String)}: list
 * them, replay one (its parked events are re-sent to its partition in order, for this
 * processor only, and the key is released once the last of them is processed) or drop one
 * (its parked events are deleted and the key released). Safe to use while workers run.
 */
public final class ParkedKeys {
    private final Processor<?> processor;
    private final Transport transport;

    ParkedKeys(Processor<?> processor, Transport transport) {
        this.processor = processor;
        this.transport = transport;
    }

    /**
     * A parked key.
     *
     * @param key       the partition key, as text
     * @param partition its partition
     * @param state     {@code parked}, or {@code replaying <id>} while a replay's re-sends
     *                  (up to that id) are processed
     * @param events    how many of its events wait in the parked stream
     * @param firstId   the id of its first parked event in the partition, or null when none waits
     * @param parkedAt  when its first waiting event was parked, or null
     * @param error     why the key was parked (the failure of its first waiting event), or null
     */
    public record Parked(String key, int partition, String state, long events, String firstId, String parkedAt,
                         String error) {
    }

    /**
     * The processor's parked keys, by partition and then key.
     *
     * @return every parked key of the processor, with what waits of it
     */
    public List<Parked> list() {
        List<Parked> all = new ArrayList<>();
        for (int p = 0; p < processor.stream().partitionCount(); p++) {
            ParkingKeys keys = processor.parkingKeys(p);
            Map<String, String> marks = transport.getHash(keys.marks());
            if (marks.isEmpty()) {
                continue;
            }
            Map<String, List<Map<String, byte[]>>> waiting = new LinkedHashMap<>();
            for (StreamEntry e : StreamPages.all(transport, keys.parked())) {
                if (processor.name().equals(text(e.fields().get("parked_processor")))) {
                    waiting.computeIfAbsent(text(e.fields().get("parked_key")), k -> new ArrayList<>()).add(e.fields());
                }
            }
            for (String key : marks.keySet().stream().sorted().toList()) {
                List<Map<String, byte[]>> events = waiting.getOrDefault(key, List.of());
                Map<String, byte[]> first = events.isEmpty() ? Map.of() : events.get(0);
                all.add(new Parked(key, p, marks.get(key), events.size(), text(first.get("parked_id")),
                        text(first.get("parked_at")), text(first.get("parked_error"))));
            }
        }
        return List.copyOf(all);
    }

    /**
     * Re-sends the key's parked events to its partition, in order and for this processor
     * only, atomically with marking the key as replaying; the processor releases the key once
     * it processed the last of them. Events of the key that reach the processor meanwhile,
     * but were sent before the replay, are parked again (replay again to release them).
     *
     * @param key the parked partition key, as text (as {@link Parked#key()} shows it)
     * @return how many events were re-sent
     * @throws NoSuchElementException if the processor has not parked the key
     */
    public long replay(String key) {
        return release(key, true);
    }

    /**
     * Deletes the key's parked events and releases the key: its later events are processed.
     *
     * @param key the parked partition key, as text (as {@link Parked#key()} shows it)
     * @return how many events were deleted
     * @throws NoSuchElementException if the processor has not parked the key
     */
    public long drop(String key) {
        return release(key, false);
    }

    private long release(String key, boolean replay) {
        long total = 0;
        boolean found = false;
        for (int p = 0; p < processor.stream().partitionCount(); p++) {
            long n = transport.releaseParked(processor.parkingKeys(p), processor.name(), key, replay);
            if (n >= 0) {
                found = true;
                total += n;
            }
        }
        if (!found) {
            throw new NoSuchElementException("processor " + processor.name() + " has no parked key '" + key + "'");
        }
        return total;
    }

    private static String text(byte[] value) {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
