// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outbox of one partition of an exactly_once processor on a Redis Cluster. A commit script
 * may only write keys of the partition's hash slot, so a send to a partition in another slot
 * is appended to the outbox (in the partition's slot) inside the commit, and forwarded to its
 * target afterwards with {@link Transport#forwardOnce}: the target's slot records the last
 * outbox entry forwarded, so an entry reaches its target once, even when a forwarder dies
 * mid-way and the next owner forwards it again, or a former owner forwards it late. Forwarded
 * entries are then deleted from the outbox.
 *
 * <p>Forwarded by the {@link Acker}'s thread: after each commit that appended to it, and once
 * when a partition is acquired (what the previous owner left). Thread-safe: it keeps no state
 * between calls, and forwarding twice at once appends nothing twice.
 */
final class Outbox {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    static final String TARGET = "outbox_target";
    static final String MAX_LEN = "outbox_maxlen";
    /** Entries read from the outbox at once. */
    private static final int PAGE = 500;

    private final String key;
    private final Transport transport;
    private final ProcessorMetrics metrics;

    Outbox(Processor<?> processor, int partition, Transport transport) {
        this.key = processor.outboxKey(partition);
        this.transport = transport;
        this.metrics = processor.metrics();
    }

    String key() {
        return key;
    }

    /** {@code append}, which goes to another slot, as the outbox entry that carries it there. */
    Append carrying(Append append) {
        Map<String, byte[]> fields = new LinkedHashMap<>();
        fields.put(TARGET, append.key().getBytes(StandardCharsets.UTF_8));
        fields.put(MAX_LEN, Long.toString(append.maxLen()).getBytes(StandardCharsets.UTF_8));
        fields.putAll(append.fields());
        return new Append(key, null, fields, 0);
    }

    /**
     * Forwards what the outbox holds to its targets, in outbox order per target, then deletes
     * it from the outbox.
     *
     * @throws io.runnel.api.transport.TransportException when Redis cannot be reached (what was
     *         not forwarded stays, for the next try)
     */
    void forward() {
        while (true) {
            List<StreamEntry> entries = transport.range(key, "-", "+", PAGE);
            if (entries.isEmpty()) {
                return;
            }
            Map<String, List<StreamEntry>> byTarget = new LinkedHashMap<>();
            Map<String, Long> maxLens = new LinkedHashMap<>();
            List<String> done = new ArrayList<>(entries.size());
            for (StreamEntry e : entries) {
                done.add(e.id());
                byte[] target = e.fields().get(TARGET);
                if (target == null) {
                    log.error("outbox {} holds entry {} without its target ({}); deleting it", key, e.id(),
                            e.fields().keySet());
                    continue;
                }
                String to = new String(target, StandardCharsets.UTF_8);
                byte[] maxLen = e.fields().get(MAX_LEN);
                maxLens.put(to, maxLen == null ? 0 : Long.parseLong(new String(maxLen, StandardCharsets.UTF_8)));
                Map<String, byte[]> fields = new LinkedHashMap<>(e.fields());
                fields.remove(TARGET);
                fields.remove(MAX_LEN);
                byTarget.computeIfAbsent(to, t -> new ArrayList<>()).add(new StreamEntry(e.id(), fields));
            }
            for (Map.Entry<String, List<StreamEntry>> t : byTarget.entrySet()) {
                metrics.forwarded(transport.forwardOnce(Keys.forwarded(t.getKey()), key, t.getKey(),
                        maxLens.get(t.getKey()), t.getValue()));
            }
            transport.deleteEntries(key, done);
            if (entries.size() < PAGE) {
                return;
            }
        }
    }
}
