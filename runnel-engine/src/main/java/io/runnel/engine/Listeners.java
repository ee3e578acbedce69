// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The processor's {@link RebalanceListener}s, called on the coordinator's thread, one call at
 * a time, with a read-only set of partitions in partition order.
 */
final class Listeners {
    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final String processor;
    private final List<RebalanceListener> listeners;

    Listeners(Processor<?> processor) {
        this.processor = processor.name();
        this.listeners = processor.rebalanceListeners();
    }

    /** Tells every listener of assigned partitions; a failure propagates (the partitions can't be made ready). */
    void assigned(Set<Integer> partitions) {
        for (RebalanceListener l : listeners) {
            l.onPartitionsAssigned(processor, sorted(partitions));
        }
    }

    /** Tells of partitions released; a listener's failure is logged and the release goes on. */
    void revoked(Set<Integer> partitions) {
        tell("revoked partitions {}; releasing them anyway", partitions, RebalanceListener::onPartitionsRevoked);
    }

    /** Tells of partitions lost; a listener's failure is logged. */
    void lost(Set<Integer> partitions) {
        tell("lost partitions {}", partitions, RebalanceListener::onPartitionsLost);
    }

    private void tell(String what, Set<Integer> partitions, Call call) {
        for (RebalanceListener l : listeners) {
            try {
                call.tell(l, processor, sorted(partitions));
            } catch (RuntimeException e) {
                log.error("rebalance listener failed for " + what, partitions, e);
            }
        }
    }

    /** One of the {@link RebalanceListener} callbacks. */
    @FunctionalInterface
    private interface Call {
        void tell(RebalanceListener listener, String processor, Set<Integer> partitions);
    }

    private static Set<Integer> sorted(Set<Integer> partitions) {
        return Collections.unmodifiableSet(new TreeSet<>(partitions));
    }
}
