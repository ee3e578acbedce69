// SPDX-License-Identifier: Apache-2.0

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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Reads events for an executor's partitions. Partitions with room in their buffer queue
 * up here; each read takes the queued partitions of one lease token into one fenced
 * multi-key XREADGROUP as the consumer named by that token, and at most {@code pool_size}
 * reads are in flight. After the read the transport checks,
 * in the same round trip, that the partition locks still hold the token and whether
 * another consumer holds pending entries, which it then claims for this executor (a
 * predecessor's, or those a late read of a former owner parked): they are handed out
 * before any newer entry.
 *
 * <p>Two kinds of read (see {@link #readGroups}). Partitions whose last read filled its
 * count have a backlog: they are read together without blocking, and a token has at most
 * one such read in flight. Backlogged partitions that run low while it is out wait for it
 * to return and then go out together, so under load reads stay large (a read for every
 * partition that happened to run low first cost more round trips and more reply handling
 * per event than the events themselves; two reads out at once halved the reads' size and
 * bought no throughput that rounds of 2 s could tell apart). The other partitions wait for
 * events in a read that blocks for up to {@code read_timeout}, one per hash slot.
 *
 * <p>A partition is in at most one read at a time, so a partition that is slow to drain
 * simply stops being read while the others go on. A read refused because a partition's key
 * (and with it the consumer group) was deleted puts the group back, so the other partitions
 * of the read are not held up; a partition whose key holds something other than a stream (a
 * {@code SET} by hand) is quarantined, so it stops being read and the others go on.
 *
 * <p>A read that fails is retried with backoff, and its outage is tracked per Redis node
 * ({@link NodeOutages}): on a Redis Cluster with a master down, only that master's partitions
 * wait and are named in the warning, and they are read again as soon as the layout names the
 * replica promoted in its place.
 *
 * <p>The fetcher's own thread owns which reads of backlogged partitions are out and which
 * partitions wait for them; read threads post {@link Signal}s to it.
 */
final class Fetcher {
    private static final Logger log = LoggerFactory.getLogger(Fetcher.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final Acker acker;
    private final CoordinatorInbox executor;
    private final LinkedBlockingQueue<Signal> signals = new LinkedBlockingQueue<>();
    /** Tokens with a read of backlogged partitions in flight; the fetcher thread's own. */
    private final Set<String> backlogReadOut = new HashSet<>();
    /** Backlogged partitions waiting for their token's read in flight; the fetcher thread's own. */
    private final Map<String, List<PartitionBuffer>> waitingForBacklogRead = new HashMap<>();
    private final Semaphore reads;
    /** The latest buffer of each partition handed to this fetcher: which partitions are read here. */
    private final Map<Integer, PartitionBuffer> known = new ConcurrentHashMap<>();
    private final NodeOutages outages;
    private final Map<String, String> mdc;
    private volatile boolean stopped;
    private Thread thread;

    Fetcher(Processor<?> processor, Transport transport, Acker acker, CoordinatorInbox executor,
            Map<String, String> mdc) {
        this.processor = processor;
        this.transport = transport;
        this.acker = acker;
        this.executor = executor;
        this.reads = new Semaphore(processor.poolSize());
        this.outages = new NodeOutages(log, "reading events of " + processor.stream().name() + "/" + processor.name(),
                this::stillRead);
        this.mdc = mdc;
    }

    /** What the fetcher's loop acts on, posted by buffers and read threads. */
    private sealed interface Signal {
    }

    /** A partition has room in its buffer. */
    private record Ready(PartitionBuffer buffer) implements Signal {
    }

    /** A read of a token's backlogged partitions returned (or failed). */
    private record BacklogReadDone(String token) implements Signal {
    }

    /**
     * Partitions read together: same consumer (lease token), and either the same hash slot,
     * in a read that blocks, or {@link #BACKLOGGED} (any slots), in a read that does not.
     */
    private record ReadGroup(String token, int slot) {
        boolean blocks() {
            return slot != BACKLOGGED;
        }
    }

    /** The slot of a {@link ReadGroup} of backlogged partitions, which may span slots. */
    private static final int BACKLOGGED = -1;
    /** How often a failed read's wait looks whether the layout moved its partitions to another node. */
    private static final Duration LAYOUT_CHECK = Duration.ofMillis(50);

    /** Queues a partition for reading (called by its buffer when it has room). */
    void schedule(PartitionBuffer buffer) {
        signals.add(new Ready(buffer));
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
            List<Signal> received = new ArrayList<>();
            while (!stopped) {
                Signal first = signals.poll(250, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                received.clear();
                received.add(first);
                signals.drainTo(received);
                List<PartitionBuffer> batch = new ArrayList<>();
                for (Signal signal : received) {
                    switch (signal) {
                        case Ready r -> {
                            known.put(r.buffer().partition, r.buffer());
                            batch.add(r.buffer());
                        }
                        case BacklogReadDone done -> {
                            backlogReadOut.remove(done.token());
                            List<PartitionBuffer> waiting = waitingForBacklogRead.remove(done.token());
                            if (waiting != null) {
                                batch.addAll(waiting);
                            }
                        }
                    }
                }
                for (Map.Entry<ReadGroup, List<PartitionBuffer>> group : readGroups(batch).entrySet()) {
                    ReadGroup g = group.getKey();
                    if (!g.blocks() && !backlogReadOut.add(g.token())) {
                        // One read of backlogged partitions at a time: these go out with the next.
                        waitingForBacklogRead.computeIfAbsent(g.token(), t -> new ArrayList<>()).addAll(group.getValue());
                        continue;
                    }
                    reads.acquire();
                    Thread.ofVirtual().name("runnel-read-" + processor.name()).start(() -> read(g, group.getValue()));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Groups partitions by lease token, since a read names one consumer (the token). Those
     * whose last read filled its count have a backlog: they go in one read that does not
     * block, over any slots (on a Redis Cluster the transport sends it as a read per slot and
     * a check per master). The others wait for events in a blocking read per hash slot,
     * since a blocking read can name keys of one slot only (on a single server every key is
     * in slot 0).
     */
    private Map<ReadGroup, List<PartitionBuffer>> readGroups(List<PartitionBuffer> batch) {
        Map<ReadGroup, List<PartitionBuffer>> groups = new LinkedHashMap<>();
        for (PartitionBuffer b : batch) {
            ReadGroup group = new ReadGroup(b.lease.fence.token(), b.backlogged() ? BACKLOGGED : transport.hashSlot(b.key));
            groups.computeIfAbsent(group, g -> new ArrayList<>()).add(b);
        }
        return groups;
    }

    private void read(ReadGroup group, List<PartitionBuffer> batch) {
        MDC.setContextMap(mdc);
        Duration block = group.blocks() ? processor.readTimeout() : null;
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
        long startedAt = System.nanoTime();
        String node = nodeOf(reading);
        List<Integer> partitions = reading.stream().map(b -> b.partition).toList();
        try {
            if (!requests.isEmpty()) {
                results = transport.readGroupFenced(processor.group(), requests, processor.prefetchCount(), block);
                outages.succeeded(node, partitions, startedAt);
                processor.metrics().fetched(count(results));
            }
            ok = true;
        } catch (CommandRejected e) {
            if (!repaired(reading)) {
                backOff(outages.failed(node, partitions, () -> readFrom(node), e, startedAt), reading);
            }
        } catch (TransportException e) {
            backOff(outages.failed(node, partitions, () -> readFrom(node), e, startedAt), reading);
        } catch (RuntimeException e) {
            log.error("unexpected failure reading partitions {}", requests.stream().map(FencedRead::key).toList(), e);
            sleep(Duration.ofSeconds(1));
        } finally {
            reads.release();
            try {
                endFetches(reading, results, ok);
            } finally {
                if (!group.blocks()) {
                    signals.add(new BacklogReadDone(group.token()));
                }
            }
        }
    }

    /**
     * The Redis node all of a read's partitions live on by the transport's layout ({@code ""}
     * on a single server), or null when they span several (a read of backlogged partitions on
     * a cluster: if it fails, they are read slot by slot next, which tells the nodes apart).
     */
    private String nodeOf(List<PartitionBuffer> reading) {
        String node = null;
        for (PartitionBuffer b : reading) {
            String its = transport.nodeOf(b.key);
            if (node != null && !node.equals(its)) {
                return null;
            }
            node = its;
        }
        return node != null ? node : "";
    }

    /** The partitions read here that {@code node} serves by the transport's layout. */
    private List<Integer> readFrom(String node) {
        List<Integer> partitions = new ArrayList<>();
        for (PartitionBuffer b : known.values()) {
            if (!b.isClosed() && node != null && node.equals(transport.nodeOf(b.key))) {
                partitions.add(b.partition);
            }
        }
        return partitions;
    }

    /** Whether the partition is read here: its latest buffer is open. */
    private boolean stillRead(int partition) {
        PartitionBuffer b = known.get(partition);
        return b != null && !b.isClosed();
    }

    /**
     * Waits before a failed read's partitions are read again, but no longer than until the
     * layout names another node for them (a replica promoted in a dead master's place): then
     * they are read there at once, not after the rest of a backoff meant for the dead node.
     */
    private void backOff(Duration wait, List<PartitionBuffer> reading) {
        String key = reading.isEmpty() ? null : reading.get(0).key;
        String nodeAfterFailure = key == null ? "" : transport.nodeOf(key);
        long until = System.nanoTime() + wait.toNanos();
        for (long left = wait.toNanos(); left > 0 && !stopped; left = until - System.nanoTime()) {
            sleep(Duration.ofNanos(Math.min(left, LAYOUT_CHECK.toNanos())));
            if (key != null && !transport.nodeOf(key).equals(nodeAfterFailure)) {
                return;
            }
        }
    }

    /** Hands each partition its part of a read's results (none if the read failed). */
    private void endFetches(List<PartitionBuffer> reading, List<FencedRead.Result> results, boolean ok) {
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

    /**
     * After a read the server refused: a refusal is about the data, so retrying as after an
     * outage would get the same answer forever, and hold back the read's other partitions
     * each time, with growing pauses. Quarantines the partitions
     * whose key holds another type than a stream (they cannot be read until someone fixes
     * the key), and has the coordinator create the consumer group again where it is missing (the key was
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
                    b.close(); // read it no more; the coordinator poisons it
                    executor.quarantine(b.lease, new RunnelException(
                            "partition key " + b.key + " holds another type than a stream: " + notAStream.get().getMessage()));
                    quarantined = true;
                } else if (notAStream.isEmpty() && !transport.groupExists(b.key, processor.group())) {
                    missingGroup.add(b);
                }
            }
            if (!missingGroup.isEmpty()) {
                executor.repairGroups(missingGroup.stream().map(b -> b.key).toList());
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
