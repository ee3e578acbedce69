// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps an executor alive in Redis: every {@code lock_expiry} / 4 it renews its heartbeat key
 * (and a static member's reservation) and extends the locks of every partition it holds,
 * renewing their leases. It only extends deadlines: a lock found lost is reported to the
 * coordinator, which gives the partition up.
 */
final class Heartbeat implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    private final Processor<?> processor;
    private final Transport transport;
    private final String memberId;
    /** What the heartbeat key holds: a static member's instance claim, else a plain mark. */
    private final String value;
    private final StaticMember staticMember;
    private final PartitionLocks locks;
    private final Supplier<List<Lease>> leases;
    /** What the executor has in flight (see {@link InFlightReport}), written with each beat when max_in_flight is above 1. */
    private final Supplier<String> inFlight;
    private final CoordinatorInbox coordinator;
    /** Stopped only after the last release, so that the locks hold while partitions drain. */
    private final StopSignal stop = new StopSignal();

    /** @param staticMember the static member's reservation, or null for a dynamic member */
    Heartbeat(Processor<?> processor, Transport transport, String memberId, String value, StaticMember staticMember,
              PartitionLocks locks, Supplier<List<Lease>> leases, Supplier<String> inFlight,
              CoordinatorInbox coordinator) {
        this.processor = processor;
        this.transport = transport;
        this.memberId = memberId;
        this.value = value;
        this.staticMember = staticMember;
        this.locks = locks;
        this.leases = leases;
        this.inFlight = inFlight;
        this.coordinator = coordinator;
    }

    /** Renews the heartbeat key, and a static member's reservation; reports what is in flight. */
    void beat() {
        transport.renew(processor.heartbeatKey(memberId), value, processor.lockExpiry());
        if (processor.maxInFlight() > 1) {
            transport.set(processor.inFlightKey(memberId), inFlight.get(), processor.lockExpiry());
        }
        if (staticMember != null) {
            staticMember.reserve();
        }
    }

    void stop() {
        stop.stop();
    }

    @Override
    public void run() {
        Outage outage = new Outage(log, "heartbeat", processor.metrics().redisOom());
        try {
            while (!stop.await(processor.lockExpiry().dividedBy(4))) {
                // The heartbeat key and the locks may live on different masters of a cluster:
                // one of them down must not keep the other from being renewed.
                TransportException failed = null;
                try {
                    beat();
                } catch (TransportException e) {
                    failed = e;
                }
                try {
                    PartitionLocks.Extension extension = locks.extend(leases.get());
                    for (Lease lost : extension.lost()) {
                        coordinator.leaseLost(lost, "its lock expired or was taken over (found by the heartbeat)");
                    }
                    failed = extension.unanswered().orElse(failed);
                } catch (TransportException e) {
                    failed = e;
                }
                if (failed == null) {
                    outage.succeeded();
                } else {
                    outage.failed(failed);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
