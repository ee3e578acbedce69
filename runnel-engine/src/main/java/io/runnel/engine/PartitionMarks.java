// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Makes an executor's troubled partitions visible to other processes (the status view), as
 * JSON naming the executor and worker:
 * <ul>
 *   <li>{@code __pois:<app>.<stream>.<processor>.<partition>}: the executor quarantined the
 *       partition; when, and the error's class and message;
 *   <li>{@code __stuck:<app>.<stream>.<processor>.<partition>}: a delivery has been with the
 *       processor function longer than {@code max_processing_time}; since when, and its
 *       event ids.
 *   <li>{@code __halt:<app>.<stream>.<processor>.<partition>}: a delivery of the partition
 *       failed under the HALT policy and stopped the worker; when, its event ids, and the
 *       error. Unlike the others it outlives its writer, since every worker that meets the
 *       events halts in turn: the first owner that then completes a delivery of the
 *       partition deletes it.
 * </ul>
 * A mark is written fenced by the partition's lease and lives as long as the condition
 * does: it is deleted when the executor gets over it or releases the partition, and when a
 * new owner acquires the partition (the new owner retries it).
 *
 * <p>Marks are advice for operators, never a decision input, so a failure to write or
 * delete one is logged and otherwise ignored.
 */
final class PartitionMarks {
    private static final Logger log = LoggerFactory.getLogger(PartitionMarks.class);
    /** Error messages are the user's text; keep the mark small whatever they hold. */
    private static final int MESSAGE_LIMIT = 500;

    private final Processor<?> processor;
    private final Transport transport;
    private final String executorId;
    private final String workerId;

    PartitionMarks(Processor<?> processor, Transport transport, String executorId, String workerId) {
        this.processor = processor;
        this.transport = transport;
        this.executorId = executorId;
        this.workerId = workerId;
    }

    /** Records that this executor quarantined the lease's partition because of {@code error}. */
    void poisoned(Lease lease, Throwable error) {
        Map<String, Object> value = owner();
        value.put("poisoned_at", Instant.now().toString());
        value.put("error", error.getClass().getName());
        String message = String.valueOf(error.getMessage());
        value.put("message", message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT) + "…" : message);
        write(lease, processor.poisonedKey(lease.partition), value, "poisoned");
    }

    /** Records that a delivery of the lease's partition failed with {@code error} and halts the worker. */
    void halted(Lease lease, List<String> eventIds, Throwable error) {
        Map<String, Object> value = owner();
        value.put("halted_at", Instant.now().toString());
        value.put("events", eventIds.stream().limit(10).toList());
        value.put("error", error.getClass().getName());
        String message = String.valueOf(error.getMessage());
        value.put("message", message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT) + "…" : message);
        write(lease, processor.haltedKey(lease.partition), value, "halted");
    }

    /** Deletes the halt mark of a partition: a delivery of it completed since. */
    void clearHalted(int partition) {
        clear(List.of(partition), List.of(processor::haltedKey), "halted");
    }

    /** Records that a delivery of the lease's partition has been with the function since {@code since}. */
    void stuck(Lease lease, Instant since, List<String> eventIds) {
        Map<String, Object> value = owner();
        value.put("stuck_since", since.toString());
        value.put("events", eventIds.stream().limit(10).toList());
        write(lease, processor.stuckKey(lease.partition), value, "stuck");
    }

    /** Deletes the poisoned marks of these partitions, whoever wrote them. */
    void clearPoisoned(Collection<Integer> partitions) {
        clear(partitions, List.of(processor::poisonedKey), "poisoned");
    }

    /** Deletes the stuck marks of these partitions, whoever wrote them. */
    void clearStuck(Collection<Integer> partitions) {
        clear(partitions, List.of(processor::stuckKey), "stuck");
    }

    /** Deletes both kinds of mark of these partitions in one round trip (a new owner retries them). */
    void clearAll(Collection<Integer> partitions) {
        clear(partitions, List.of(processor::poisonedKey, processor::stuckKey), "poisoned and stuck");
    }

    private Map<String, Object> owner() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("executor", executorId);
        value.put("worker", workerId);
        return value;
    }

    /** Fenced, so a former owner cannot mark a partition that has moved on. */
    private void write(Lease lease, String key, Map<String, Object> value, String what) {
        try {
            if (!transport.setFenced(lease.fence, key, Json.write(value))) {
                log.warn("did not mark partition {} {}: it no longer belongs to this executor", lease.partition, what);
            }
        } catch (TransportException e) {
            log.warn("could not record {} partition {} for status views: {}", what, lease.partition, e.getMessage());
        }
    }

    private void clear(Collection<Integer> partitions, List<IntFunction<String>> kinds, String what) {
        if (partitions.isEmpty()) {
            return;
        }
        List<String> keys = kinds.stream().flatMap(kind -> partitions.stream().map(kind::apply)).toList();
        try {
            transport.delete(keys);
        } catch (TransportException e) {
            log.warn("could not clear {} marks of partitions {}: {}", what, partitions, e.getMessage());
        }
    }
}
