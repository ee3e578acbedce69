package io.runnel.engine;

import io.runnel.api.RunnelException;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Reads events for an executor's partitions. Partitions with room in their buffer queue
 * up here; each read takes the queued partitions of one lease token into one fenced
 * multi-key XREADGROUP (BLOCK {@code read_timeout}) as the consumer named by that token
 * (on a Redis Cluster, see {@link #readGroups}), and at most {@code pool_size} reads are in flight. After the read the transport checks,
 * in the same round trip, that the partition locks still hold the token and whether
 * another consumer holds pending entries, which it then claims for this executor (a
 * predecessor's, or those a late read of a former owner parked): they are handed out
 * before any newer entry. A partition is
 * in at most one read at a time, so a partition that is slow to drain simply stops being
 * read while the others go on. A read refused because a partition's key (and with it the
 * consumer group) was deleted puts the group back, so the other partitions of the read are
 * not held up; a partition whose key holds something other than a stream (a {@code SET}
 * by hand) is quarantined, so it stops being read and the others go on.
 */
final class Fetcher {
    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final Acker acker;
    private final Membership membership;
    private final PartitionConsumer.ExecutorCallbacks executor;
    private final LinkedBlockingQueue<PartitionBuffer> ready = new LinkedBlockingQueue<>();
    private final Semaphore reads;
    private final Outage outage;
    private final Map<String, String> mdc;
    private volatile boolean stopped;
    private Thread thread;

    Fetcher(Processor<?> processor, Transport transport, Acker acker, Membership membership,
            PartitionConsumer.ExecutorCallbacks executor, Map<String, String> mdc) {
        this.processor = processor;
        this.transport = transport;
        this.acker = acker;
        this.membership = membership;
        this.executor = executor;
        this.reads = new Semaphore(processor.poolSize());
        this.outage = new Outage(log, "reading events of " + processor.stream().name() + "/" + processor.name());
        this.mdc = mdc;
    }

    /**
     * Partitions read together: same consumer (lease token) and same hash slot, in a read that
     * blocks; or, on a Redis Cluster, the partitions of a token that found events in their
     * last read, over any slots, in one read that does not block ({@link #FLOWING}).
     */
    private record ReadGroup(String token, int slot) {
        boolean blocks() {
            return slot != FLOWING;
        }
    }

    /** The slot of a {@link ReadGroup} that spans slots. */
    private static final int FLOWING = -1;

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
                List<PartitionBuffer> batch = new ArrayList<>();
                batch.add(first);
                ready.drainTo(batch);
                Map<ReadGroup, List<PartitionBuffer>> groups = readGroups(batch);
                for (Map.Entry<ReadGroup, List<PartitionBuffer>> group : groups.entrySet()) {
                    Duration block = group.getKey().blocks() ? processor.readTimeout() : null;
                    reads.acquire();
                    Thread.ofVirtual().name("runnel-read-" + processor.name()).start(() -> read(group.getValue(), block));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One read per lease token, since a read names one consumer (the token). A blocking read
     * names streams of one hash slot, since a Redis Cluster serves a command over one slot
     * only (on a single server every key is in slot 0). On a cluster that would be a read
     * (and a check script) per partition, as each has its own slot; so the partitions that
     * found events last time, which will likely find more, are read without blocking in one
     * call, which the transport sends as a read per slot and a check per master. The others
     * wait for events in a blocking read per slot.
     */
    private Map<ReadGroup, List<PartitionBuffer>> readGroups(List<PartitionBuffer> batch) {
        Map<String, Map<Integer, List<PartitionBuffer>>> byToken = new LinkedHashMap<>();
        for (PartitionBuffer b : batch) {
            byToken.computeIfAbsent(b.lease.fence.token(), t -> new LinkedHashMap<>())
                    .computeIfAbsent(transport.hashSlot(b.key), s -> new ArrayList<>()).add(b);
        }
        Map<ReadGroup, List<PartitionBuffer>> groups = new LinkedHashMap<>();
        byToken.forEach((token, bySlot) -> {
            boolean oneSlot = bySlot.size() == 1;
            bySlot.forEach((slot, buffers) -> {
                for (PartitionBuffer b : buffers) {
                    ReadGroup group = new ReadGroup(token, oneSlot || !b.foundEvents() ? slot : FLOWING);
                    groups.computeIfAbsent(group, g -> new ArrayList<>()).add(b);
                }
            });
        });
        return groups;
    }

    private void read(List<PartitionBuffer> batch, Duration block) {
        MDC.setContextMap(mdc);
        List<FencedRead> requests = new ArrayList<>(batch.size());
        List<PartitionBuffer> reading = new ArrayList<>(batch.size());
        for (PartitionBuffer b : batch) {
            if (!b.beginFetch()) {
                continue;
            }
            if (!b.lease.valid()) {
                // Its consumer or the executor ends the partition; reading for it could only be refused.
                b.expire();
                b.endFetch(List.of(), false);
                continue;
            }
            requests.add(new FencedRead(b.lease.fence, b.key, b.pointer()));
            reading.add(b);
        }
        List<FencedRead.Result> results = List.of();
        boolean ok = false;
        try {
            if (!requests.isEmpty()) {
                results = transport.readGroupFenced(processor.group(), requests, processor.prefetchCount(), block);
                outage.succeeded();
                processor.metrics().fetched(count(results));
            }
            ok = true;
        } catch (CommandRejected e) {
            if (!repaired(reading)) {
                sleep(outage.failed(e));
            }
        } catch (TransportException e) {
            sleep(outage.failed(e));
        } catch (RuntimeException e) {
            log.error("unexpected failure reading partitions {}", requests.stream().map(FencedRead::key).toList(), e);
            sleep(Duration.ofSeconds(1));
        } finally {
            reads.release();
            for (int i = 0; i < reading.size(); i++) {
                PartitionBuffer b = reading.get(i);
                FencedRead.Result result = i < results.size() ? results.get(i) : null;
                if (result != null && !result.held()) {
                    b.expire();
                    executor.leaseLost(b.lease, "the server no longer holds its lock for this executor (found by a read)");
                }
                List<String> vanished = b.endFetch(result == null ? List.of() : result.entries(), ok);
                if (!vanished.isEmpty()) {
                    log.error("{} pending event(s) of partition {} were trimmed from the stream before being processed "
                            + "(retention: {}); acknowledging them: {}",
                            vanished.size(), b.partition, processor.stream().retention().describe(), vanished);
                    processor.metrics().trimmedUnprocessed(vanished.size());
                    acker.add(b.lease, vanished);
                }
            }
        }
    }

    /**
     * After a read the server refused: a refusal is about the data, so retrying as after an
     * outage would get the same answer forever, and hold back the read's other partitions
     * each time, with growing pauses. Quarantines the partitions
     * whose key holds another type than a stream (they cannot be read until someone fixes
     * the key), and creates the consumer group again where it is missing (the key was
     * deleted, so XREADGROUP over all of them answers NOGROUP). Returns false when nothing
     * needed repair (another refusal), or when checking failed too.
     */
    private boolean repaired(List<PartitionBuffer> reading) {
        try {
            List<PartitionBuffer> missingGroup = new ArrayList<>();
            boolean quarantined = false;
            for (PartitionBuffer b : reading) {
                Optional<CommandRejected> notAStream = notAStream(b.key);
                if (notAStream.isPresent() && !b.isClosed()) {
                    log.error("partition {} cannot be read: its key {} holds another type than a stream; quarantining it "
                            + "(delete or rename the key, then restart or rebalance to read it again)", b.partition, b.key);
                    executor.quarantine(b.lease, new RunnelException(
                            "partition key " + b.key + " holds another type than a stream: " + notAStream.get().getMessage()));
                    quarantined = true;
                } else if (notAStream.isEmpty() && !transport.groupExists(b.key, processor.group())) {
                    missingGroup.add(b);
                }
            }
            if (!missingGroup.isEmpty()) {
                List<String> keys = missingGroup.stream().map(b -> b.key).toList();
                membership.createGroups(keys);
                log.warn("consumer group {} was missing on {} (stream key deleted?); created it again from the start of "
                        + "the stream", processor.group(), keys);
            }
            return quarantined || !missingGroup.isEmpty();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The WRONGTYPE refusal of a stream command on {@code key}, if it holds another type. */
    private Optional<CommandRejected> notAStream(String key) {
        try {
            transport.length(key);
            return Optional.empty();
        } catch (CommandRejected e) {
            if (e.isWrongType()) {
                return Optional.of(e);
            }
            throw e;
        }
    }

    private static int count(List<FencedRead.Result> results) {
        int n = 0;
        for (FencedRead.Result r : results) {
            n += r.entries().size();
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
