// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.Set;

/**
 * Callbacks for partitions a worker gains and gives up, like Kafka's
 * {@code ConsumerRebalanceListener}: load per-partition state when partitions are
 * assigned, flush it when they are revoked. Register with
 * {@link ProcessorOptions#rebalanceListener(RebalanceListener)}.
 *
 * <p>Callbacks run on the processor's coordination thread, one at a time, and rebalancing
 * waits for them, so keep them short (well within {@code grace_period}).
 */
public interface RebalanceListener {

    /**
     * The worker now holds the locks of these partitions; their processing starts when this
     * returns. If it throws, the worker stops with that error (the partitions could not be
     * made ready).
     *
     * @param processor  the processor's name
     * @param partitions the partitions now held
     */
    default void onPartitionsAssigned(String processor, Set<Integer> partitions) {
    }

    /**
     * These partitions are being given up: their processing has finished (each consumer
     * completed its iteration or was cut off at {@code grace_period}) and their acks have
     * been sent, and the locks are still held — they are released when this returns. A
     * failure is logged and the release goes on.
     *
     * @param processor  the processor's name
     * @param partitions the partitions being given up
     */
    default void onPartitionsRevoked(String processor, Set<Integer> partitions) {
    }

    /**
     * The locks of these partitions were lost (expired or taken over, e.g. after a long
     * pause): another worker may already be processing them, so there was no orderly drain.
     * Calls {@link #onPartitionsRevoked} unless overridden.
     *
     * @param processor  the processor's name
     * @param partitions the partitions whose locks were lost
     */
    default void onPartitionsLost(String processor, Set<Integer> partitions) {
        onPartitionsRevoked(processor, partitions);
    }
}
