// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A one-way switch that loops pause on: they sleep until their next turn or the stop, whichever comes first. */
final class StopSignal {
    private final CountDownLatch latch = new CountDownLatch(1);

    void stop() {
        latch.countDown();
    }

    boolean stopped() {
        return latch.getCount() == 0;
    }

    /**
     * Sleeps for {@code pause} unless stopped first.
     *
     * @return true if stopped
     */
    boolean await(Duration pause) throws InterruptedException {
        return latch.await(pause.toNanos(), TimeUnit.NANOSECONDS);
    }
}
