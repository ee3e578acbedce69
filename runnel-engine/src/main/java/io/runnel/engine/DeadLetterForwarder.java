// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;
import io.runnel.api.Event;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Forwards failed deliveries to a dead-letter stream, byte for byte (deserialization may
 * be what failed), plus fields saying where and why it failed. The exception policy still
 * applies afterwards; pair it with IGNORE to keep a partition moving.
 *
 * <p>The partition's consumer calls it with the failed delivery before the processor's
 * middleware hears of the failure. The forward is fenced by the partition's lease: an
 * executor that lost the partition forwards nothing (its next owner meets the events and
 * forwards them itself), so a frozen former owner cannot add dead letters late.
 *
 * <p>A forward the server does not take (unreachable, or refusing appends because its memory
 * is full) is tried again with backoff, warned of once, while the partition's consumer waits:
 * the exception policy acts only once the dead letter is stored, so no event is acknowledged
 * without it. If the partition leaves the consumer first, the events stay pending for its
 * next owner ({@link FailureNotRecorded}).
 */
final class DeadLetterForwarder<T> {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterForwarder.class);

    private final Stream<T> sink;
    private final String processor;
    private final ProcessorMetrics metrics;

    DeadLetterForwarder(Stream<T> sink, String processor, ProcessorMetrics metrics) {
        this.sink = sink;
        this.processor = processor;
        this.metrics = metrics;
    }

    /**
     * Forwards the failed events.
     *
     * @param lease the partition's lease, which fences the forward (null: unfenced)
     * @param feed  the partition's feed, whose closing ends the retries (null: no retry)
     * @throws FailureNotRecorded if the partition left before the dead letters could be stored
     */
    void forward(Delivery delivery, Throwable error, Lease lease, EventFeed feed) {
        if (delivery.events().isEmpty()) {
            return;
        }
        String failedAt = Instant.now().toString();
        String reason = error.getClass().getName() + ": " + error.getMessage();
        List<Map<String, byte[]>> entries = new ArrayList<>(delivery.events().size());
        for (Event e : delivery.events()) {
            Map<String, byte[]> fields = new LinkedHashMap<>(e.fields());
            fields.put("dead_failed_at", bytes(failedAt));
            fields.put("dead_partition", bytes(Integer.toString(e.partition())));
            fields.put("dead_id", bytes(e.id()));
            fields.put("dead_processor", bytes(processor));
            fields.put("dead_error", bytes(reason));
            entries.add(fields);
        }
        Outage outage = new Outage(log, "forwarding " + entries.size() + " failed event(s) of partition "
                + delivery.partition() + " to dead-letter stream " + sink.name(), metrics.redisOom());
        while (true) {
            try {
                if (lease == null) {
                    sink.appendRaw(0, entries);
                } else if (!sink.appendRawFenced(lease.fence, 0, entries)) {
                    log.warn("did not forward {} failed event(s) of partition {} to dead-letter stream {}: the partition "
                            + "no longer belongs to this executor, and its next owner processes them again",
                            entries.size(), delivery.partition(), sink.name());
                    return;
                }
                outage.succeeded();
                break;
            } catch (TransportException e) {
                // Redis unreachable, or refusing the append because its memory is full: the
                // exception policy must not acknowledge events whose dead letter is not stored,
                // so the partition waits (the others go on) and tries again.
                Duration pause = outage.failed(e);
                if (lease == null || !lease.valid() || releasedWithin(feed, pause)) {
                    throw new FailureNotRecorded("their dead letters could not be written to " + sink.name()
                            + " before the partition left this consumer", e);
                }
            } catch (RuntimeException e) {
                log.error("could not forward {} failed event(s) to dead-letter stream {}", entries.size(), sink.name(), e);
                return;
            }
        }
        metrics.deadLettered(delivery.partition(), entries.size());
        log.warn("forwarded {} failed event(s) of partition {} to dead-letter stream {} (ids {}): {}",
                entries.size(), delivery.partition(), sink.name(), ids(delivery), reason);
    }

    /** Waits up to {@code pause}; true once the partition is released or the thread interrupted (stop trying). */
    private static boolean releasedWithin(EventFeed feed, Duration pause) {
        return feed == null || feed.pauseUnlessClosed(pause);
    }

    /** The failed events' ids, the first few of a large batch. */
    private static String ids(Delivery delivery) {
        List<Event> events = delivery.events();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(events.size(), 10); i++) {
            b.append(i == 0 ? "" : ", ").append(events.get(i).id());
        }
        return events.size() > 10 ? b + ", ... " + (events.size() - 10) + " more" : b.toString();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
