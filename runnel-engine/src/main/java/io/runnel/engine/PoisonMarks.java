package io.runnel.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * Makes an executor's quarantined partitions visible to other processes (the status view):
 * {@code __pois:<app>.<stream>.<processor>.<partition>} holds, as JSON, which executor and
 * worker poisoned the partition, when, and the error's class and message. The mark lives
 * as long as the partition stays with that executor: it is deleted when the executor
 * releases the partition and when a new owner acquires it (the new owner retries it).
 *
 * <p>Marks are advice for operators, never a decision input, so a failure to write or
 * delete one is logged and otherwise ignored.
 */
final class PoisonMarks {
    private static final Logger log = LoggerFactory.getLogger(PoisonMarks.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Error messages are the user's text; keep the mark small whatever they hold. */
    private static final int MESSAGE_LIMIT = 500;

    private final Processor<?> processor;
    private final Transport transport;
    private final String executorId;
    private final String workerId;

    PoisonMarks(Processor<?> processor, Transport transport, String executorId, String workerId) {
        this.processor = processor;
        this.transport = transport;
        this.executorId = executorId;
        this.workerId = workerId;
    }

    /**
     * Records that this executor quarantined the lease's partition because of {@code error};
     * fenced, so a former owner cannot mark a partition that has moved on.
     */
    void mark(Lease lease, Throwable error) {
        int partition = lease.partition;
        ObjectNode value = JSON.createObjectNode();
        value.put("executor", executorId);
        value.put("worker", workerId);
        value.put("poisoned_at", Instant.now().toString());
        value.put("error", error.getClass().getName());
        String message = String.valueOf(error.getMessage());
        value.put("message", message.length() > MESSAGE_LIMIT ? message.substring(0, MESSAGE_LIMIT) + "…" : message);
        try {
            if (!transport.setFenced(lease.fence, processor.poisonedKey(partition), value.toString())) {
                log.warn("did not mark partition {} poisoned: it no longer belongs to this executor", partition);
            }
        } catch (TransportException e) {
            log.warn("could not record poisoned partition {} for status views: {}", partition, e.getMessage());
        }
    }

    /** Deletes the marks of these partitions, whoever wrote them. */
    void clear(Collection<Integer> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        List<String> keys = partitions.stream().map(processor::poisonedKey).toList();
        try {
            transport.delete(keys);
        } catch (TransportException e) {
            log.warn("could not clear poisoned marks of partitions {}: {}", partitions, e.getMessage());
        }
    }
}
