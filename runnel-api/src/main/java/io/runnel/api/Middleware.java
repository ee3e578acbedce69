// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * Observes every delivery of a processor: before the processor sees it and after it
 * succeeded or failed. Built-in middleware (dead letters, tracing) and users' middleware
 * are the same kind of thing and compose as a list: {@code beforeProcessing} runs in list
 * order, the after-callbacks in reverse order. (Metrics are not middleware: the engine
 * records them itself, around every middleware.)
 *
 * <p>Callbacks run on the partition's processing thread, so they see deliveries of one
 * partition in order. A callback that throws counts as a processing failure.
 */
public interface Middleware {

    /**
     * Called before the processor receives the delivery. A delivery the processor's retry
     * policy tries again is one delivery here: this runs before its first try only, and
     * {@link #afterSuccess} or {@link #afterFailure} after its last ({@link Delivery#attempt()}
     * says which that was).
     *
     * @param delivery the events about to be processed
     */
    default void beforeProcessing(Delivery delivery) {
    }

    /**
     * Called once the processor finished with the delivery, just before it is acknowledged.
     *
     * @param delivery the events processed
     */
    default void afterSuccess(Delivery delivery) {
    }

    /**
     * Called when the processor threw while holding the delivery, on its last try; the
     * processor's exception policy is applied afterwards.
     *
     * @param delivery the events whose processing failed
     * @param error    what was thrown while processing the delivery
     */
    default void afterFailure(Delivery delivery, Throwable error) {
    }
}
