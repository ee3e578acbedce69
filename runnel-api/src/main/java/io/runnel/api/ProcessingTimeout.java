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
    private final int partition;
    private final List<String> eventIds;
    private final Duration limit;

    public ProcessingTimeout(String processor, int partition, List<String> eventIds, Duration limit) {
        super("processor " + processor + " held events " + eventIds + " of partition " + partition
                + " longer than max_processing_time (" + limit.toMillis() + " ms)");
        this.partition = partition;
        this.eventIds = List.copyOf(eventIds);
        this.limit = limit;
    }

    /** The partition of the delivery. */
    public int partition() {
        return partition;
    }

    /** The ids of the delivery's events. */
    public List<String> eventIds() {
        return eventIds;
    }

    /** The {@code max_processing_time} it exceeded. */
    public Duration limit() {
        return limit;
    }
}
