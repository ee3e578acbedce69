// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ProcessingGuarantee;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Where the commits of one owned partition of a processor with a context go: its keyed state
 * ({@link PartitionStates}), the key of its commit marker, and its {@link Outbox} (under
 * exactly_once; null otherwise). Made by the partition's consumer when it starts.
 *
 * @param states    the partition's keyed state
 * @param markerKey the key of its commit marker
 * @param outbox    its outbox of sends to other hash slots; null under at_least_once
 * @param replicas  how many replicas must confirm each commit (WAIT); 0 for none
 * @param replicasTimeout how long a commit waits for them
 */
record PartitionCommit(PartitionStates states, String markerKey, Outbox outbox, int replicas, Duration replicasTimeout) {

    /**
     * The commits of {@code processor}'s {@code partition}, whose state's times to live go by
     * {@code clock} (epoch millis); null for a processor without a context.
     */
    static PartitionCommit of(Processor<?> processor, int partition, LongSupplier clock) {
        if (!processor.usesContext()) {
            return null;
        }
        var transport = processor.stream().host().transport();
        return new PartitionCommit(new PartitionStates(processor, partition, transport, clock),
                processor.commitMarkerKey(partition),
                processor.guarantee() == ProcessingGuarantee.EXACTLY_ONCE ? new Outbox(processor, partition, transport) : null,
                processor.commitReplicas(), processor.stream().host().settings().sendReplicasTimeout());
    }
}
