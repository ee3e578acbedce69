// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Delivery;
import io.runnel.api.Middleware;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * What every consumer does with a delivery that failed for good (no retry left), before its
 * exception policy acts: count it, forward it to the dead letters if the processor keeps
 * them, and tell middleware; then the policy's own log line. Shared by
 * {@link PartitionConsumer} (one delivery at a time) and {@link KeyedConsumer} (one per key),
 * on whichever thread ran the delivery.
 */
final class FinalFailure {
    private static final Logger log = LoggerFactory.getLogger(FinalFailure.class);

    private FinalFailure() {
    }

    /**
     * Counts the failure, stores its dead letter and tells middleware.
     *
     * @return false when the dead letter could not be stored: the policy must not act (it
     *         would acknowledge or park events whose failure is nowhere), and the events stay
     *         pending for the partition's next owner
     */
    static boolean record(Processor<?> processor, Delivery failed, Throwable error, EventFeed feed) {
        processor.metrics().failed(failed);
        if (processor.deadLetters() != null) {
            try {
                processor.deadLetters().forward(failed, error, feed.lease(), feed);
            } catch (FailureNotRecorded e) {
                log.warn("the failed events {} of partition {} stay pending, unacknowledged, for the partition's next "
                        + "owner: {}", PartitionConsumer.ids(failed), feed.partition(), e.getMessage());
                return false;
            }
        }
        List<Middleware> middleware = processor.middleware();
        for (int i = middleware.size() - 1; i >= 0; i--) {
            try {
                middleware.get(i).afterFailure(failed, error);
            } catch (RuntimeException e) {
                log.error("middleware {} failed while handling a failure", middleware.get(i).getClass().getName(), e);
            }
        }
        return true;
    }

    /** Logs what policy HALT does about the failed events {@code ids}. */
    static void logHalt(Processor<?> processor, int partition, List<String> ids, Throwable error) {
        log.error("processor {} failed on partition {} (events {}); policy HALT stops the worker. Every worker "
                + "that takes the partition over meets these events first and halts in turn, until the events "
                + "process or the policy changes; `runnel status` shows them. QUARANTINE, or dead letters with "
                + "IGNORE, keep the other partitions going", processor.name(), partition, ids, error);
    }

    /** Logs what policy QUARANTINE does about the failed events {@code ids}. */
    static void logQuarantine(Processor<?> processor, int partition, List<String> ids, Throwable error) {
        log.error("processor {} failed on partition {} (events {}); policy QUARANTINE poisons the partition, "
                + "the others keep going", processor.name(), partition, ids, error);
    }

    /** Logs what policy IGNORE does about the failed events {@code ids}. */
    static void logIgnore(Processor<?> processor, int partition, List<String> ids, Throwable error) {
        log.warn("processor {} failed on partition {} (events {}); policy IGNORE acknowledges them and goes on",
                processor.name(), partition, ids, error);
    }

    /** Logs that a processor threw {@link io.runnel.api.Misconfigured}, which halts whatever the policy. */
    static void logMisconfigured(Processor<?> processor, Throwable error) {
        log.error("processor {} is misconfigured; halting", processor.name(), error);
    }

    /**
     * Sends the partition's completed deliveries' commits before a failure is handled (a
     * processor with a context): a key's earlier event that succeeded must not be processed
     * again after its later one was parked or dead-lettered, behind it.
     *
     * @return false when the server did not answer: the failed event then stays pending, and
     *         the partition stops
     */
    static boolean commitBefore(Acker acker, int partition) {
        try {
            acker.flush();
            return true;
        } catch (io.runnel.api.transport.TransportException e) {
            log.warn("could not commit partition {}'s completed deliveries before handling a failure ({}); the failed "
                    + "event stays pending for the partition's next owner", partition, e.getMessage());
            return false;
        }
    }
}
