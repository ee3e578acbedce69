// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.slf4j.Logger;

import java.time.Duration;

/**
 * Tracks one kind of failing call (reads, acks, heartbeats…) so that a lost connection is
 * logged once when it starts and once when it ends, not on every retry, and retries back
 * off exponentially up to a cap.
 *
 * <p>Several threads may make the same kind of call at once (a fetcher's read threads). A
 * call that started before the last recovery and fails after it belongs to the outage that
 * just ended: it gets a retry delay but opens no new episode, so one outage is one warning.
 */
final class Outage {
    private static final Duration FIRST = Duration.ofMillis(50);
    private static final Duration CAP = Duration.ofSeconds(2);

    private final Logger log;
    private final String what;
    private int failures;
    private Duration backoff = FIRST;
    /** {@link System#nanoTime()} of the success that ended the last episode. */
    private long recoveredAt = System.nanoTime();

    Outage(Logger log, String what) {
        this.log = log;
        this.what = what;
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
        if (failures == 0 && startedAt - recoveredAt < 0) {
            // In flight across the recovery: its failure is the old outage's, already reported.
            return FIRST;
        }
        if (failures++ == 0) {
            log.warn("{} failed, retrying with backoff until the server answers: {}", what, e.getMessage());
        } else {
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
