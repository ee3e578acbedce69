// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.NotReplicated;
import io.runnel.api.transport.PartlyAnswered;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Acknowledges processed events for one executor. Consumers hand ids over without
 * waiting; one background thread sends what has gathered in a single pipelined round
 * trip, at most {@link #LINGER_NANOS} after the first of them arrived (sooner once
 * {@link #FULL} are waiting). Without the linger, a live stream of sparse events cost an
 * XACK round trip per event or two, as much as reading them.
 * {@link #flush()} sends synchronously, and must be called before a partition's lock is
 * released so no processed event is handed to the next owner again.
 *
 * <p>Acks are fenced: ids are kept per {@link Lease}, those of a lease no longer valid
 * here are dropped without a word to the server, and the server refuses the rest unless
 * the partition's lock still holds the lease's token. A dropped ack costs a redelivery to
 * the next owner, never a lost event. Acks that got no answer are kept for the next try; on a
 * Redis Cluster with a master down, only that master's partitions' acks wait, the others'
 * are done with.
 *
 * <p>The partitions of a processor with a context hand over {@link CommitBatch}es instead:
 * ids with what their deliveries sent and wrote. Each is committed in one fenced script per
 * partition ({@link Transport#commitFenced}), which writes nothing unless the lease's token
 * still holds. A commit gets its marker when it is first sent, and keeps it until the server
 * answers it, so a commit whose reply was lost is not applied twice when sent again; newer
 * batches wait behind it.
 */
final class Acker {
    private static final Logger log = LoggerFactory.getLogger(Acker.class);

    private final Transport transport;
    private final String group;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition added = lock.newCondition();
    /** Serialises flushes, so a flush that returns knows every earlier one has finished. */
    private final ReentrantLock sending = new ReentrantLock();
    private final Outage outage;
    private final Map<String, String> mdc;
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    static final int FULL = 1024;

    private Map<Lease, List<String>> pending = new HashMap<>();
    /** Commits waiting, per lease; guarded by {@link #lock}, their sealed queues by {@link #sending} too. */
    private final Map<Lease, LeaseCommits> commits = new java.util.LinkedHashMap<>();
    /** Numbers the commits, for their markers (with the lease's token); guarded by {@link #sending}. */
    private long commitNumber;
    /** Outboxes to forward, by the acker's own thread between flushes. */
    private final OutboxForwarding forwarding;
    /** Ids in {@link #pending}; guarded by {@link #lock}. */
    private int pendingIds;
    private volatile boolean stopped;
    private Thread thread;

    private final ProcessorMetrics metrics;
    private final Consumer<Lease> leaseLost;
    /** Partitions with acks the server took since the retainer last asked (see {@link #ackedSinceAsked}). */
    private final Set<Integer> ackedPartitions = ConcurrentHashMap.newKeySet();

    /** @param leaseLost told (on the acker's thread) of a lease whose acks the server refused */
    Acker(Transport transport, String group, ProcessorMetrics metrics, Map<String, String> mdc, Consumer<Lease> leaseLost) {
        this.transport = transport;
        this.group = group;
        this.metrics = metrics;
        this.leaseLost = leaseLost;
        this.outage = new Outage(log, "acknowledging events of group " + group);
        this.forwarding = new OutboxForwarding(group);
        this.mdc = mdc;
    }

    /** Queues acks of entries of the lease's partition, processed while the lease was valid. */
    void add(Lease lease, List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            pending.computeIfAbsent(lease, k -> new ArrayList<>()).addAll(ids);
            int before = pendingIds;
            pendingIds += ids.size();
            // Wake the sender for the first ids (its linger starts) and when a batch is full.
            if (before == 0 || (before < FULL && pendingIds >= FULL)) {
                added.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** A lease's commits: the batch gathering, and those sent without an answer yet, in order. */
    private static final class LeaseCommits {
        /** Guarded by {@link #lock}. */
        CommitBatch open;
        /** Guarded by {@link #sending} (and {@link #lock} where it is filled). */
        final ArrayDeque<Sealed> sealed = new ArrayDeque<>();
    }

    /** A batch with the commit made of it, marker included. */
    private record Sealed(Commit commit, CommitBatch batch) {
    }

    /** Queues a commit of a lease's partition: its completed deliveries' acks and effects. */
    void commit(Lease lease, CommitBatch batch) {
        lock.lock();
        try {
            LeaseCommits waiting = commits.computeIfAbsent(lease, k -> new LeaseCommits());
            if (waiting.open == null) {
                waiting.open = batch;
            } else {
                waiting.open.addAll(batch);
            }
            int before = pendingIds;
            pendingIds += batch.ids.size();
            if (before == 0 || (before < FULL && pendingIds >= FULL)) {
                added.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sends every ack and commit collected so far and waits for the server's reply.
     *
     * @throws TransportException if the server can't be reached (the acks are kept for a retry)
     */
    void flush() {
        sending.lock();
        try {
            flushAcks();
            flushCommits();
        } finally {
            sending.unlock();
        }
    }

    /** Sends the commits waiting, each lease's in order; holding {@link #sending}. */
    private void flushCommits() {
        List<Map.Entry<Lease, LeaseCommits>> leases;
        lock.lock();
        try {
            if (commits.isEmpty()) {
                return;
            }
            for (Map.Entry<Lease, LeaseCommits> e : commits.entrySet()) {
                CommitBatch open = e.getValue().open;
                if (open != null) {
                    pendingIds -= open.ids.size();
                    e.getValue().open = null;
                    String marker = e.getKey().fence.token() + ":" + (++commitNumber);
                    e.getValue().sealed.add(new Sealed(open.toCommit(e.getKey().streamKey, marker), open));
                }
            }
            leases = new ArrayList<>(commits.entrySet());
        } finally {
            lock.unlock();
        }
        TransportException unanswered = null;
        for (Map.Entry<Lease, LeaseCommits> e : leases) {
            Lease lease = e.getKey();
            ArrayDeque<Sealed> sealed = e.getValue().sealed;
            if (!lease.valid()) {
                log.warn("not committing {} commit(s) of partition {}: its lease ended first; its next owner processes "
                        + "their events again, from the state last committed", sealed.size(), lease.partition);
                sealed.clear();
            }
            try {
                sendInOrder(lease, sealed);
            } catch (TransportException failed) {
                // This partition's commits wait (a Redis Cluster master down); the others' go on.
                if (unanswered == null) {
                    unanswered = failed;
                }
            }
            lock.lock();
            try {
                if (e.getValue().open == null && sealed.isEmpty()) {
                    commits.remove(lease);
                }
            } finally {
                lock.unlock();
            }
        }
        if (unanswered != null) {
            throw unanswered;
        }
    }

    /**
     * One commit; with {@code default_commit_replicas}, waiting for the replicas. A commit they do not
     * confirm in time is done all the same (nothing can undo it): logged, and counted as done.
     */
    private boolean send(Lease lease, Sealed next) {
        PartitionCommit partition = next.batch().partition;
        if (partition.replicas() == 0) {
            return transport.commitFenced(lease.fence, group, next.commit());
        }
        try {
            return transport.commitFencedDurably(lease.fence, group, next.commit(), partition.replicas(),
                    partition.replicasTimeout());
        } catch (NotReplicated e) {
            log.warn("a commit of {} event(s) of partition {} is done, but fewer replicas than default_commit_replicas "
                            + "({}) confirmed it: a failover now could lose it, and its events would be processed again "
                            + "from the state before it. Check the replicas' link to the master (INFO replication). {}",
                    next.commit().ids().size(), lease.partition, partition.replicas(), e.getMessage());
            return true;
        }
    }

    /**
     * Sends a lease's sealed commits, oldest first, until they are done, one is refused (the
     * rest are dropped, the lease is lost) or one gets no answer (it and the rest stay, markers
     * kept, and the failure is thrown).
     */
    private void sendInOrder(Lease lease, ArrayDeque<Sealed> sealed) {
        while (!sealed.isEmpty()) {
            Sealed next = sealed.peek();
            boolean held = send(lease, next); // unanswered: stays, marker kept
            sealed.poll();
            if (!held) {
                log.error("the server refused a commit of {} event(s) of partition {}: its lock no longer holds this "
                                + "executor's token; nothing of it was written, and its next owner processes them again",
                        next.commit().ids().size(), lease.partition);
                sealed.clear();
                leaseLost.accept(lease);
                break;
            }
            next.batch().partition.states().committed(next.batch().lastCompletion);
            metrics.committed();
            if (next.batch().fillsOutbox()) {
                forwardLater(next.batch().partition.outbox());
            }
            metrics.acked(Map.of(lease.streamKey, next.commit().ids()));
            ackedPartitions.add(lease.partition);
        }
    }

    /**
     * Has the acker's thread forward what {@code outbox} holds: after a commit that appended to
     * it, and when its partition is acquired (what a previous owner left).
     */
    void forwardLater(Outbox outbox) {
        if (forwarding.add(outbox)) {
            lock.lock();
            try {
                added.signal();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Sends the plain acks collected so far; holding {@link #sending}. */
    private void flushAcks() {
        Map<Lease, List<String>> batch;
        lock.lock();
        try {
            if (pending.isEmpty()) {
                return;
            }
            batch = pending;
            pending = new HashMap<>();
            batch.values().forEach(ids -> pendingIds -= ids.size());
        } finally {
            lock.unlock();
        }
        try {
            send(batch);
        } catch (TransportException e) {
            lock.lock();
            try {
                batch.forEach((k, ids) -> {
                    pending.computeIfAbsent(k, x -> new ArrayList<>()).addAll(0, ids);
                    pendingIds += ids.size();
                });
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    /**
     * Sends a batch; on a WRONGTYPE refusal, key by key, dropping the acks of keys that no
     * longer hold a stream. Their entries are gone with the stream, and a batch kept for a
     * retry would be refused forever and hold back the acks of every other partition.
     * Removes from {@code batch} what has been sent or dropped.
     */
    private void send(Map<Lease, List<String>> batch) {
        dropInvalid(batch);
        if (batch.isEmpty()) {
            return;
        }
        try {
            sendFenced(batch);
            return;
        } catch (CommandRejected e) {
            if (!e.isWrongType()) {
                throw e;
            }
        }
        for (Iterator<Map.Entry<Lease, List<String>>> it = batch.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Lease, List<String>> one = it.next();
            try {
                sendFenced(new HashMap<>(Map.of(one.getKey(), one.getValue())));
            } catch (CommandRejected e) {
                if (!e.isWrongType()) {
                    throw e;
                }
                log.error("dropping {} ack(s) of {}: the key no longer holds a stream ({})",
                        one.getValue().size(), one.getKey().streamKey, e.getMessage());
            }
            it.remove();
        }
    }

    /** Acks of a lease that is no longer valid here must not be sent: the partition may have a new owner. */
    private void dropInvalid(Map<Lease, List<String>> batch) {
        for (Iterator<Map.Entry<Lease, List<String>>> it = batch.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Lease, List<String>> one = it.next();
            if (!one.getKey().valid()) {
                log.warn("not acknowledging {} event(s) of partition {}: its lease ended first; its next owner "
                        + "processes them again", one.getValue().size(), one.getKey().partition);
                it.remove();
            }
        }
    }

    /**
     * Sends a batch and removes from it the acks the server answered. On a Redis Cluster a
     * master that does not answer leaves only its own partitions' acks in the batch, for the
     * next try, and the others are done with.
     *
     * @throws TransportException when some acks got no answer (they stay in {@code batch})
     */
    private void sendFenced(Map<Lease, List<String>> batch) {
        List<FencedAck> acks = new ArrayList<>(batch.size());
        List<Lease> leases = new ArrayList<>(batch.size());
        batch.forEach((lease, ids) -> {
            acks.add(new FencedAck(lease.fence, lease.streamKey, ids));
            leases.add(lease);
        });
        List<Optional<Boolean>> held;
        PartlyAnswered partly = null;
        try {
            held = transport.ackFenced(group, acks).stream().map(Optional::of).toList();
        } catch (PartlyAnswered e) {
            held = IntStream.range(0, e.size()).mapToObj(e::answer).toList();
            partly = e;
        }
        Map<String, List<String>> acked = new HashMap<>();
        for (int i = 0; i < acks.size(); i++) {
            if (held.get(i).isEmpty()) {
                continue;
            }
            batch.remove(leases.get(i));
            if (held.get(i).get()) {
                acked.put(acks.get(i).key(), acks.get(i).ids());
                ackedPartitions.add(leases.get(i).partition);
            } else {
                log.error("the server refused {} ack(s) of partition {}: its lock no longer holds this executor's "
                        + "token; its next owner processes them again", acks.get(i).ids().size(), leases.get(i).partition);
                leaseLost.accept(leases.get(i));
            }
        }
        metrics.acked(acked);
        if (partly != null) {
            throw partly;
        }
    }

    /**
     * Whether the server took acks of {@code partition} since the last call for it; the
     * answer is given once. For the retention thread, whose pass can trim nothing new in a
     * partition nobody acknowledged anything in (see {@link Retainer}).
     */
    boolean ackedSinceAsked(int partition) {
        return ackedPartitions.remove(partition);
    }

    void start() {
        thread = Thread.ofVirtual().name("runnel-acker-" + group).start(this::loop);
    }

    /** Stops the background thread (call {@link #flush()} afterwards for what is left). */
    void stop() {
        stopped = true;
        // Wake it with a signal rather than an interrupt, so an ack in flight completes.
        lock.lock();
        try {
            added.signal();
        } finally {
            lock.unlock();
        }
        if (thread != null) {
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops at once, dropping unsent acks (a simulated crash): those events will be delivered again. */
    void discard() {
        lock.lock();
        try {
            pending = new HashMap<>();
            commits.clear();
            pendingIds = 0;
        } finally {
            lock.unlock();
        }
        stop();
    }

    private void loop() {
        MDC.setContextMap(mdc);
        while (!stopped) {
            try {
                lock.lock();
                try {
                    while (pending.isEmpty() && commits.isEmpty() && !forwarding.due() && !stopped) {
                        added.await(forwarding.nanosUntilDue(TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                    }
                    long lingerEnd = System.nanoTime() + LINGER_NANOS;
                    long left;
                    while (!stopped && pendingIds < FULL && (left = lingerEnd - System.nanoTime()) > 0) {
                        added.awaitNanos(left);
                    }
                } finally {
                    lock.unlock();
                }
                flush();
                outage.succeeded();
                forwarding.forwardDue();
            } catch (InterruptedException e) {
                return;
            } catch (TransportException e) {
                try {
                    Thread.sleep(outage.failed(e));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }
}
