// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

import java.time.Duration;
import java.util.List;

/**
 * A delivery stayed with the processor function longer than {@code max_processing_time}.
 * The worker interrupts the function's thread and handles the delivery as failed with this
 * exception, through the processor's exception policy and middleware like any other
 * failure. The function's own exception, if the interrupt made it throw one, is the cause.
 */
public class ProcessingTimeout extends RunnelException {
    /** The partition of the delivery. */
    private final int partition;
    /** The ids of the delivery's events. */
    private final List<String> eventIds;
    /** The {@code max_processing_time} it exceeded. */
    private final Duration limit;

    /**
     * A delivery held too long; the message names the processor, the events and the limit.
     *
     * @param processor the processor's name
     * @param partition the partition of the delivery
     * @param eventIds  the ids of the delivery's events
     * @param limit     the {@code max_processing_time} it exceeded
     */
    public ProcessingTimeout(String processor, int partition, List<String> eventIds, Duration limit) {
        super("processor " + processor + " held events " + eventIds + " of partition " + partition
                + " longer than max_processing_time (" + limit.toMillis() + " ms)");
        this.partition = partition;
        this.eventIds = List.copyOf(eventIds);
        this.limit = limit;
    }

    /**
     * The partition of the delivery.
     *
     * @return the partition number
     */
    public int partition() {
        return partition;
    }

    /**
     * The ids of the delivery's events.
     *
     * @return the Redis stream ids, in stream order
     */
    public List<String> eventIds() {
        return eventIds;
    }

    /**
     * The {@code max_processing_time} it exceeded.
     *
     * @return the processor's limit
     */
    public Duration limit() {
        return limit;
    }
}
