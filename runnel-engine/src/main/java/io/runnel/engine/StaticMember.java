// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.transport.Transport;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The two keys that make an executor a static member ({@code member_id} set): its heartbeat,
 * which says a live process holds the id, and its reservation ({@code __resv:…}), which keeps
 * the member, and the partitions assigned to it, while no process beats for it. A member is
 * reaped only when both are gone (see {@link Membership#reap()}).
 *
 * <p>A process taking the id back after a crash must wait for its predecessor's heartbeat to
 * expire, since it cannot tell a dead predecessor from a live duplicate. With the default
 * {@code session_timeout} (= {@code lock_expiry}) that predecessor's reservation expires at
 * the same moment as its heartbeat, so a reap in the moment before the new claim would find
 * neither and move the member's partitions. The waiting process therefore keeps the
 * reservation itself, from its first try until its claim: a member whose process is back is
 * not away.
 *
 * <p>Called by the executor's own thread (the claim) and its heartbeat thread (the renewals).
 */
final class StaticMember {
    /** How often a waiting process tries the heartbeat key again. */
    static final Duration RETRY = Duration.ofMillis(100);

    /** Waits between tries of a claim. */
    @FunctionalInterface
    interface Pause {
        /** Waits up to {@code duration}; returns true if the executor is stopping. */
        boolean await(Duration duration) throws InterruptedException;
    }

    private final Processor<?> processor;
    private final Transport transport;
    private final String memberId;
    /** This process's claim on the id: the value of its heartbeat and reservation. */
    private final String instance;
    private final LongSupplier nanoTime;

    /** @param nanoTime the monotonic clock that bounds the claim ({@link System#nanoTime} but in tests) */
    StaticMember(Processor<?> processor, Transport transport, String memberId, String instance, LongSupplier nanoTime) {
        this.processor = processor;
        this.transport = transport;
        this.memberId = memberId;
        this.instance = instance;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes the member id for this process: its heartbeat key must be free. A heartbeat left by
     * a crashed predecessor expires within {@code lock_expiry}; one that keeps being renewed
     * belongs to a live process, and this one is refused without touching the heartbeat.
     *
     * @throws Misconfigured        when a live process keeps the id for {@code lock_expiry}
     * @throws InterruptedException when the executor stops meanwhile
     */
    void claim(Pause pause) throws InterruptedException {
        String key = processor.heartbeatKey(memberId);
        long deadline = nanoTime.getAsLong() + processor.lockExpiry().plusSeconds(1).toNanos();
        while (true) {
            // Until the next try at least: the predecessor's reservation may lapse meanwhile.
            transport.renew(processor.reservationKey(memberId), instance, processor.sessionTimeout().plus(RETRY));
            if (transport.setIfAbsent(key, instance, processor.lockExpiry())) {
                reserve();
                return;
            }
            if (nanoTime.getAsLong() - deadline > 0) {
                throw new Misconfigured("member_id '" + memberId + "' is in use by a live worker of processor "
                        + processor.name() + ": its heartbeat " + key + " kept being renewed for lock_expiry ("
                        + processor.lockExpiry().toMillis() + " ms). Give each worker process its own member_id");
            }
            if (pause.await(RETRY)) {
                throw new InterruptedException("stopped while waiting for member id " + memberId);
            }
        }
    }

    /** Keeps the member's place for {@code session_timeout} from now (a PEXPIRE, which a full Redis serves). */
    void reserve() {
        transport.renew(processor.reservationKey(memberId), instance, processor.sessionTimeout());
    }
}
