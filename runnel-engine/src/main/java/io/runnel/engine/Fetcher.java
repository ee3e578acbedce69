package io.runnel.engine;

import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Reads events for an executor's partitions. Partitions with room in their buffer queue
 * up here; each read takes every queued partition into one multi-key XREADGROUP (BLOCK
 * {@code read_timeout}), and at most {@code pool_size} reads are in flight. A partition is
 * in at most one read at a time, so a partition that is slow to drain simply stops being
 * read while the others go on. A read refused because a partition's key (and with it the
 * consumer group) was deleted puts the group back, so the other partitions of the read are
 * not held up.
 */
final class Fetcher {
    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final Acker acker;
    private final Membership membership;
    private final LinkedBlockingQueue<PartitionBuffer> ready = new LinkedBlockingQueue<>();
    private final Semaphore reads;
    private final Outage outage;
    private final Map<String, String> mdc;
    private volatile boolean stopped;
    private Thread thread;

    Fetcher(Processor<?> processor, Transport transport, Acker acker, Membership membership, Map<String, String> mdc) {
        this.processor = processor;
        this.transport = transport;
        this.acker = acker;
        this.membership = membership;
        this.reads = new Semaphore(processor.poolSize());
        this.outage = new Outage(log, "reading events of " + processor.stream().name() + "/" + processor.name());
        this.mdc = mdc;
    }

    /** Queues a partition for reading (called by its buffer when it has room). */
    void schedule(PartitionBuffer buffer) {
        ready.add(buffer);
    }

    void start() {
        thread = Thread.ofVirtual().name("runnel-fetcher-" + processor.name()).start(this::loop);
    }

    /** Stops issuing reads; reads in flight finish within {@code read_timeout}. */
    void stop() {
        stopped = true;
    }

    private void loop() {
        MDC.setContextMap(mdc);
        try {
            while (!stopped) {
                PartitionBuffer first = ready.poll(250, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                reads.acquire();
                List<PartitionBuffer> batch = new ArrayList<>();
                batch.add(first);
                ready.drainTo(batch);
                Thread.ofVirtual().name("runnel-read-" + processor.name()).start(() -> read(batch));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void read(List<PartitionBuffer> batch) {
        MDC.setContextMap(mdc);
        Map<String, String> ids = new LinkedHashMap<>();
        List<PartitionBuffer> reading = new ArrayList<>(batch.size());
        for (PartitionBuffer b : batch) {
            if (b.beginFetch()) {
                ids.put(b.key, b.pointer());
                reading.add(b);
            }
        }
        Map<String, List<StreamEntry>> result = Map.of();
        boolean ok = false;
        try {
            if (!ids.isEmpty()) {
                result = transport.readGroup(processor.group(), Processor.CONSUMER, ids,
                        processor.prefetchCount(), processor.readTimeout());
                outage.succeeded();
                processor.metrics().fetched(count(result));
            }
            ok = true;
        } catch (TransportException e) {
            if (!restoredMissingGroups(ids.keySet())) {
                sleep(outage.failed(e));
            }
        } catch (RuntimeException e) {
            log.error("unexpected failure reading partitions {}", ids.keySet(), e);
            sleep(Duration.ofSeconds(1));
        } finally {
            reads.release();
            for (PartitionBuffer b : reading) {
                List<String> vanished = b.endFetch(result.getOrDefault(b.key, List.of()), ok);
                if (!vanished.isEmpty()) {
                    log.warn("{} pending event(s) of partition {} were trimmed from the stream before being processed "
                            + "(partition_size too small for the backlog?); acknowledging them: {}",
                            vanished.size(), b.partition, vanished);
                    acker.add(b.key, vanished);
                }
            }
        }
    }

    /**
     * After a failed read: when some of its partitions lost their consumer group (their key
     * was deleted, so XREADGROUP over all of them answers NOGROUP), creates the group again
     * so the next read goes through, instead of stalling every partition of the read until a
     * restart. Returns false when every group is there (an outage or another refusal), or
     * when checking failed too.
     */
    private boolean restoredMissingGroups(Collection<String> keys) {
        try {
            List<String> missing = keys.stream().filter(key -> !transport.groupExists(key, processor.group())).toList();
            if (missing.isEmpty()) {
                return false;
            }
            membership.createGroups(missing);
            log.warn("consumer group {} was missing on {} (stream key deleted?); created it again from the start of "
                    + "the stream", processor.group(), missing);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static int count(Map<String, List<StreamEntry>> result) {
        int n = 0;
        for (List<StreamEntry> entries : result.values()) {
            n += entries.size();
        }
        return n;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
