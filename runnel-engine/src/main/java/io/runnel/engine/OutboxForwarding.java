// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The outboxes of one executor's partitions that have entries to forward ({@link Outbox}),
 * and when to try them: at once, or after the backoff of the last failure. The {@link Acker}'s
 * thread forwards them between its flushes, so that a target that cannot be reached delays
 * no ack and no release. Thread-safe: consumers and flushes add outboxes from any thread;
 * only the acker's thread forwards.
 */
final class OutboxForwarding {
    private static final Logger log = LoggerFactory.getLogger(OutboxForwarding.class);

    private final Set<Outbox> waiting = new LinkedHashSet<>();
    private final Outage outage;
    /** When the outboxes may be tried again after a failure ({@link System#nanoTime()}); the acker's thread only. */
    private long notBefore = System.nanoTime();

    OutboxForwarding(String group) {
        this.outage = new Outage(log, "forwarding the outboxes of group " + group);
    }

    /** Adds an outbox to forward; true when it was not waiting yet (the acker's thread is to be woken). */
    synchronized boolean add(Outbox outbox) {
        return waiting.add(outbox);
    }

    /** Whether outboxes wait, and the last failure's backoff is over. */
    synchronized boolean due() {
        return !waiting.isEmpty() && System.nanoTime() - notBefore >= 0;
    }

    /** How long until {@link #due()} may become true without a new outbox: the backoff left, or {@code otherwise}. */
    synchronized long nanosUntilDue(long otherwise) {
        return waiting.isEmpty() ? otherwise : Math.max(1, notBefore - System.nanoTime());
    }

    /** Forwards what waits, when due; on the acker's thread. A failure backs off the forwarding only. */
    void forwardDue() {
        List<Outbox> due;
        synchronized (this) {
            if (!due()) {
                return;
            }
            due = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (int i = 0; i < due.size(); i++) {
            try {
                due.get(i).forward();
            } catch (TransportException e) {
                synchronized (this) {
                    waiting.addAll(due.subList(i, due.size()));
                }
                notBefore = System.nanoTime() + outage.failed(e).toNanos();
                return;
            }
        }
        outage.succeeded();
    }
}
