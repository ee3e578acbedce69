// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The one place dead members are reaped. Every 0.25–0.5 s (an eighth to a quarter of
 * {@code lock_expiry} when that is shorter) it looks at the known members' heartbeats without
 * the admin lock, and reaps under the lock only when one is gone, or at a random interval
 * between a quarter and three quarters of {@code lock_expiry} (at most a second plus half of
 * it) to learn who the members are: so a dead member is reaped within a second of its
 * heartbeat's expiry, and executors seldom contend for the admin lock. A reaping wakes the
 * coordinator, which finds its new assignment.
 */
final class Reaper implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Reaper.class);
    /** The longest pause between two looks at the heartbeats is twice this. */
    private static final long LOOK_MILLIS = 250;

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
        long lockMillis = processor.lockExpiry().toMillis();
        long half = Math.max(1, lockMillis / 2);
        long floor = Math.min(1000, Math.max(1, lockMillis / 4));
        long look = Math.max(1, Math.min(LOOK_MILLIS, lockMillis / 8));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        List<String> members = null;
        long nextFullReap = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(floor + random.nextLong(half));
        try {
            while (!stop.await(Duration.ofMillis(look + random.nextLong(look)))) {
                try {
                    if (members == null) {
                        members = membership.memberIds(); // the first look: who to watch until the first reaping
                    }
                    if (System.nanoTime() - nextFullReap >= 0 || membership.anyGone(members)) {
                        if (!membership.reap().isEmpty()) {
                            wake.run();
                        }
                        members = membership.memberIds();
                        nextFullReap = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(floor + random.nextLong(half));
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
