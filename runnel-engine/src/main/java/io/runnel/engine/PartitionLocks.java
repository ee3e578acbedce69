// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Fence;
import io.runnel.api.transport.PartlyAnswered;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The partition-lock protocol of one executor: who may process partition {@code i} of a
 * processor right now is whoever's token is in {@code __lock:<app>.<stream>.<processor>.<i>},
 * and only until that lock's time to live runs out.
 *
 * <ul>
 *   <li><b>Acquire</b>: a fencing epoch is taken from {@code __fenc:<app>.<stream>.<processor>}
 *       (INCR, so it only grows), and each free lock is set (SET NX PX lock_expiry) to the
 *       token {@code <executor id>:<epoch>}. Every acquisition writes a token no earlier
 *       acquisition wrote, so a command fenced with an old token is refused by the server.
 *   <li><b>Extend</b>: the heartbeat resets the time to live of each lock still holding its
 *       token, and renews the lease from the moment the command was sent.
 *   <li><b>Release</b>: deletes each lock still holding its token.
 * </ul>
 *
 * <p>Python runnel writes its executor id alone into the lock; both kinds of worker can
 * share a processor, since each takes only free locks and checks only its own values.
 */
final class PartitionLocks {
    private final Processor<?> processor;
    private final Transport transport;
    private final String executorId;

    PartitionLocks(Processor<?> processor, Transport transport, String executorId) {
        this.processor = processor;
        this.transport = transport;
        this.executorId = executorId;
    }

    /**
     * Takes the locks of {@code partitions} that are free.
     *
     * @return a lease per partition acquired, in the order asked
     */
    Map<Integer, Lease> acquire(Collection<Integer> partitions) {
        List<Integer> order = List.copyOf(partitions);
        long sentAt = processor.ticker().nanos();
        String token = executorId + ":" + transport.increment(processor.epochKey());
        List<Boolean> got = transport.setIfAbsent(order.stream().map(processor::lockKey).toList(), token,
                processor.lockExpiry());
        Map<Integer, Lease> acquired = new LinkedHashMap<>();
        for (int i = 0; i < order.size(); i++) {
            if (got.get(i)) {
                int p = order.get(i);
                acquired.put(p, new Lease(p, processor.stream().partitionKey(p), new Fence(processor.lockKey(p), token),
                        sentAt, leaseLifetimeNanos(), processor.ticker()));
            }
        }
        return acquired;
    }

    /**
     * What an extension found: the leases whose lock no longer holds their token (expired or
     * taken over), and the failure that left some unanswered (a cluster master down), if any.
     */
    record Extension(List<Lease> lost, Optional<TransportException> unanswered) {
    }

    /**
     * Extends the locks of {@code leases} and renews those the server still held. When only
     * some locks' masters answered, those are renewed and the others are left to run out
     * unless a later heartbeat reaches them.
     *
     * @throws TransportException when no answer came at all
     */
    Extension extend(Collection<Lease> leases) {
        if (leases.isEmpty()) {
            return new Extension(List.of(), Optional.empty());
        }
        List<Lease> order = List.copyOf(leases);
        long sentAt = processor.ticker().nanos();
        List<Optional<Boolean>> held;
        Optional<TransportException> unanswered = Optional.empty();
        try {
            held = transport.extendFenced(order.stream().map(l -> l.fence).toList(), processor.lockExpiry()).stream()
                    .map(Optional::of).toList();
        } catch (PartlyAnswered e) {
            held = IntStream.range(0, e.size()).mapToObj(e::answer).toList();
            unanswered = Optional.of(e);
        }
        List<Lease> lost = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            Optional<Boolean> answer = held.get(i);
            if (answer.isEmpty()) {
                continue;
            }
            if (answer.get()) {
                order.get(i).renew(sentAt);
            } else {
                lost.add(order.get(i));
            }
        }
        return new Extension(lost, unanswered);
    }

    /** Deletes the locks that still hold the leases' tokens. */
    void release(Collection<Lease> leases) {
        if (!leases.isEmpty()) {
            transport.releaseFenced(leases.stream().map(l -> l.fence).toList());
        }
    }

    /** Whether a lock's value is a Python runnel worker's: a bare executor id, with no fencing epoch. */
    static boolean heldByPython(String lockValue) {
        return lockValue.lastIndexOf(':') < 0;
    }

    /** The executor id in a lock's value: before the fencing epoch, or all of it (Python runnel). */
    static String ownerOf(String lockValue) {
        int colon = lockValue.lastIndexOf(':');
        return colon < 0 ? lockValue : lockValue.substring(0, colon);
    }

    private long leaseLifetimeNanos() {
        return processor.lockExpiry().minus(processor.leaseMargin()).toNanos();
    }
}
