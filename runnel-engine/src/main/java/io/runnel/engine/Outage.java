package io.runnel.engine;

import org.slf4j.Logger;

import java.time.Duration;

/**
 * Tracks one kind of failing call (reads, acks, heartbeats…) so that a lost connection is
 * logged once when it starts and once when it ends, not on every retry, and retries back
 * off exponentially up to a cap.
 */
final class Outage {
    private static final Duration FIRST = Duration.ofMillis(50);
    private static final Duration CAP = Duration.ofSeconds(2);

    private final Logger log;
    private final String what;
    private int failures;
    private Duration backoff = FIRST;

    Outage(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    /** Records a failure and returns how long to wait before the next try. */
    synchronized Duration failed(Exception e) {
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
        }
    }
}
