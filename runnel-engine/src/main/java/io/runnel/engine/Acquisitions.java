// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RebalanceFailed;
import io.runnel.api.RunnelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Takes the partitions assigned to this executor, on the coordinator's thread: their locks,
 * then the listeners' go-ahead, then a consumer each. A partition still locked by its previous
 * owner is tried again at the next membership check, up to {@code assignment_attempts} checks
 * in a row.
 */
final class Acquisitions {
    private static final Logger log = LoggerFactory.getLogger(Acquisitions.class);

    private final Processor<?> processor;
    private final Ownership ownership;
    private final PartitionLocks locks;
    private final PartitionMarks marks;
    private final Listeners listeners;
    private final Function<Lease, RunningPartition> starter;
    private int failedAttempts;

    Acquisitions(Processor<?> processor, Ownership ownership, PartitionLocks locks, PartitionMarks marks,
                 Listeners listeners, Function<Lease, RunningPartition> starter) {
        this.processor = processor;
        this.ownership = ownership;
        this.locks = locks;
        this.marks = marks;
        this.listeners = listeners;
        this.starter = starter;
    }

    /**
     * Acquires what it can of {@code partitions}.
     *
     * @throws RebalanceFailed when some stayed locked by another executor for assignment_attempts tries
     */
    void acquireOrRetry(Set<Integer> partitions) {
        Set<Integer> failed = acquire(partitions);
        if (failed.isEmpty()) {
            failedAttempts = 0;
            log.info("rebalance of processor {} complete: owns {}", processor.name(), ownership.partitions());
        } else if (++failedAttempts >= processor.assignmentAttempts()) {
            throw new RebalanceFailed("processor " + processor.name() + ": could not acquire partitions " + failed
                    + " after " + failedAttempts + " attempts (assignment_attempts); their previous owner does not let go");
        } else {
            log.info("partitions {} are still locked by their previous owner; retry {} of {} in {}",
                    failed, failedAttempts, processor.assignmentAttempts(), processor.assignmentSleep());
        }
    }

    /** @return the partitions whose lock is held by someone else */
    private Set<Integer> acquire(Set<Integer> partitions) {
        Map<Integer, Lease> acquired = locks.acquire(partitions);
        Set<Integer> failed = new TreeSet<>(partitions);
        failed.removeAll(acquired.keySet());
        if (acquired.isEmpty()) {
            return failed;
        }
        marks.clearAll(acquired.keySet()); // a previous owner's marks: this owner retries the partitions
        List<Ownership.Entry> entries = acquired.values().stream().map(ownership::acquiring).toList();
        try {
            listeners.assigned(acquired.keySet());
        } catch (RuntimeException e) {
            // The partitions can't be made ready: give their locks back and stop the worker.
            acquired.values().forEach(Lease::voidNow);
            entries.forEach(ownership::released);
            locks.release(acquired.values());
            throw new RunnelException("rebalance listener of processor " + processor.name()
                    + " failed for assigned partitions " + acquired.keySet(), e);
        }
        entries.forEach(e -> ownership.flowing(e, starter.apply(e.lease())));
        return failed;
    }
}
