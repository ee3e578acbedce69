package io.runnel.api;

import java.util.List;

/**
 * What a processor is handed in one iteration: one event, or a batch from
 * {@code take(n, within)}. It is acknowledged when the processor asks for the next one.
 *
 * @param processor processor name
 * @param partition partition number
 * @param events    the raw events, in stream order
 */
public record Delivery(String processor, int partition, List<Event> events) {
}
