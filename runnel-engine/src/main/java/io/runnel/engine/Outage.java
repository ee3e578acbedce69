// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Meter;
import io.runnel.api.transport.ServerOutOfMemory;
import org.slf4j.Logger;

import java.time.Duration;

/**
 * Tracks one kind of failing call (reads, acks, heartbeats…) so that a lost connection is
 * logged once when it starts and once when it ends, not on every retry, and retries back
 * off exponentially up to a cap.
 *
 * <p>Each loop that uses one makes its calls one at a time, so a success always follows the
 * failure it ends (the fetcher's concurrent reads use {@link NodeOutages}, which also weighs
 * when a call started). A call that started before the last recovery and fails after it
 * belongs to the outage that just ended: it gets a retry delay but opens no new episode, so
 * one outage is one warning.
 *
 * <p>A server refusing the call because its memory is full ({@link ServerOutOfMemory}) is an
 * episode too: its warning says so, with the remedy, and each refusal marks the app's
 * {@code redis-oom} meter when one was given.
 */
final class Outage {
    private static final Duration FIRST = Duration.ofMillis(50);
    private static final Duration CAP = Duration.ofSeconds(2);

    private final Logger log;
    private final String what;
    /** The app's {@code redis-oom} meter, or null. */
    private final Meter outOfMemory;
    private int failures;
    /** Whether the episode's last warning was about a full memory. */
    private boolean memoryFull;
    private Duration backoff = FIRST;
    /** {@link System#nanoTime()} of the success that ended the last episode. */
    private long recoveredAt = System.nanoTime();

    Outage(Logger log, String what) {
        this(log, what, null);
    }

    /** @param outOfMemory the app's {@code redis-oom} meter (see {@link MemoryRefusals}), or null */
    Outage(Logger log, String what, Meter outOfMemory) {
        this.log = log;
        this.what = what;
        this.outOfMemory = outOfMemory;
    }

    /** Records a failure of a call that started just now and returns how long to wait before the next try. */
    Duration failed(Exception e) {
        return failed(e, System.nanoTime());
    }

    /**
     * Records a failure of a call that started at {@code startedAt} ({@link System#nanoTime()})
     * and returns how long to wait before the next try.
     */
    synchronized Duration failed(Exception e, long startedAt) {
        boolean full = MemoryRefusals.count(outOfMemory, e);
        if (failures == 0 && startedAt - recoveredAt < 0) {
            // In flight across the recovery: its failure is the old outage's, already reported.
            return FIRST;
        }
        if (failures == 0 || full != memoryFull) {
            // A new episode, or one that changed kind (the server came back, full).
            if (full) {
                log.warn("{} was refused by Redis because its memory is full; retrying with backoff until memory is "
                        + "freed: {}", what, e.getMessage());
            } else {
                log.warn("{} failed, retrying with backoff until the server answers: {}", what, e.getMessage());
            }
            memoryFull = full;
        }
        if (failures++ > 0) {
            backoff = backoff.multipliedBy(2).compareTo(CAP) > 0 ? CAP : backoff.multipliedBy(2);
        }
        return backoff;
    }

    /** Records a success, logging the end of an episode. */
    synchronized void succeeded() {
        if (failures > 0) {
            log.info("{} working again after {} failed tries", what, failures);
            failures = 0;
            backoff = FIRST;
            recoveredAt = System.nanoTime();
        }
    }
}
