// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

import java.util.List;

/**
 * What a processor is handed in one iteration: one event, or a batch from
 * {@code take(n, within)}. It is acknowledged when the processor asks for the next one.
 *
 * @param processor processor name
 * @param partition partition number
 * @param events    the raw events, in stream order
 * @param attempt   which try at these events this is: 1, or more when the processor retries
 *                  failed deliveries in place (its retry policy)
 */
public record Delivery(String processor, int partition, List<Event> events, int attempt) {

    /**
     * Checks the attempt number.
     *
     * @throws IllegalArgumentException if {@code attempt} is below 1
     */
    public Delivery {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be at least 1, got " + attempt);
        }
    }

    /**
     * A first try.
     *
     * @param processor processor name
     * @param partition partition number
     * @param events    the raw events, in stream order
     */
    public Delivery(String processor, int partition, List<Event> events) {
        this(processor, partition, events, 1);
    }
}
