// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one place dead members are reaped: at a random interval between a quarter and three
 * quarters of {@code lock_expiry} (at most a second plus half of it), so executors seldom
 * contend for the admin lock. A reaping wakes the coordinator, which finds its new
 * assignment.
 */
final class Reaper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);

    private final Processor<?> processor;
    private final Membership membership;
    private final Runnable wake;
    private final StopSignal stop;

    Reaper(Processor<?> processor, Membership membership, Runnable wake, StopSignal stop) {
        this.processor = processor;
        this.membership = membership;
        this.wake = wake;
        this.stop = stop;
    }

    @Override
    public void run() {
        long half = Math.max(1, processor.lockExpiry().toMillis() / 2);
        long floor = Math.min(1000, Math.max(1, processor.lockExpiry().toMillis() / 4));
        try {
            while (!stop.await(Duration.ofMillis(floor + ThreadLocalRandom.current().nextLong(half)))) {
                try {
                    if (!membership.reap().isEmpty()) {
                        wake.run();
                    }
                } catch (RuntimeException e) {
                    log.debug("reaping dead executors failed; will retry", e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
