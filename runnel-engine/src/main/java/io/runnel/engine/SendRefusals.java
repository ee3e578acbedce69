// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Meter;
import io.runnel.api.transport.ServerOutOfMemory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes an app's sends that Redis refuses because its memory is full visible besides the
 * exception the sender gets: each marks the app's {@code redis-oom} meter, the first of an
 * episode is logged at WARN with the remedy, and the first send taken again ends the episode
 * with an INFO. A producer that retries in a loop so logs once, not once per try.
 *
 * <p>Called by every thread that sends; costs a send that succeeds one volatile read.
 */
final class SendRefusals {
    private static final Logger log = LoggerFactory.getLogger(SendRefusals.class);

    private final String app;
    private final Meter meter;
    private volatile boolean refusing;
    /** Refusals in the current episode; guarded by this. */
    private long refusals;

    SendRefusals(String app, Meter meter) {
        this.app = app;
        this.meter = meter;
    }

    /** A send was refused because Redis's memory is full. */
    void refused(ServerOutOfMemory e) {
        meter.mark();
        synchronized (this) {
            if (refusals++ == 0) {
                refusing = true;
                log.warn("sends of app {} are refused by Redis because its memory is full; each throws "
                        + "ServerOutOfMemory until memory is freed: {}", app, e.getMessage());
            }
        }
    }

    /** A send went through: ends an episode of refusals, if one is open. */
    void accepted() {
        if (!refusing) {
            return;
        }
        synchronized (this) {
            if (refusing) {
                log.info("sends of app {} are taken again, after {} refused for a full memory", app, refusals);
                refusing = false;
                refusals = 0;
            }
        }
    }
}
