// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Elects one leader among an app's workers: whoever holds {@code __lead:<app>}, a key with
 * a time to live of four poll intervals that its holder renews on every poll. Every worker
 * polls, so when the leader dies another takes over within that time to live.
 */
final class LeaderElection {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final Transport transport;
    private final String key;
    private final String workerId;
    private final Duration ttl;
    private final Outage outage = new Outage(log, "leader election");
    private volatile boolean leader;

    LeaderElection(Transport transport, String app, String workerId, Duration pollInterval) {
        this.transport = transport;
        this.key = Keys.leader(app);
        this.workerId = workerId;
        this.ttl = pollInterval.multipliedBy(4);
    }

    /** One election round: keep the leadership, or take it if nobody holds it. */
    boolean poll() {
        try {
            boolean now = transport.extendIfOwner(key, workerId, ttl) || transport.setIfAbsent(key, workerId, ttl);
            outage.succeeded();
            if (now != leader) {
                log.info(now ? "this worker is now the leader" : "this worker is no longer the leader");
            }
            leader = now;
        } catch (TransportException e) {
            outage.failed(e);
            // Without the server we cannot know; assume the worst so leader-only work pauses.
            leader = false;
        }
        return leader;
    }

    boolean isLeader() {
        return leader;
    }

    /** Gives up leadership at shutdown so another worker takes over at its next poll. */
    void resign() {
        try {
            if (leader) {
                transport.deleteIfOwner(key, workerId);
            }
        } catch (TransportException e) {
            log.debug("could not resign leadership; it expires after {}", ttl);
        }
        leader = false;
    }
}
