// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;

import java.time.Duration;

/** The rules that tie an executor's timings together, checked for the app's defaults and for each processor. */
final class Timings {
    private Timings() {
    }

    /**
     * @param context where the values come from, e.g. {@code "setting "} or {@code "processor billing: "}
     * @param prefix  {@code "default_"} for the app's settings, empty for a processor's options
     */
    static void check(String context, String prefix, Duration lockExpiry, Duration leaseMargin, Duration gracePeriod) {
        // A partition being released keeps its lock by heartbeats, but a release may take the
        // whole grace period: its lock must outlive that with room for a missed heartbeat.
        if (lockExpiry.compareTo(gracePeriod.multipliedBy(2)) < 0) {
            throw new Misconfigured(context + prefix + "lock_expiry (" + lockExpiry.toMillis()
                    + " ms) must be at least twice " + prefix + "grace_period (" + gracePeriod.toMillis()
                    + " ms): a partition finishing its iteration within the grace period must not lose its lock meanwhile");
        }
        // The heartbeat renews every lock_expiry / 4; a lease shorter than half the expiry
        // would lapse between two heartbeats on a slightly loaded machine.
        if (leaseMargin.multipliedBy(2).compareTo(lockExpiry) >= 0) {
            throw new Misconfigured(context + prefix + "lease_margin (" + leaseMargin.toMillis()
                    + " ms) must be under half of " + prefix + "lock_expiry (" + lockExpiry.toMillis() + " ms)");
        }
    }
}
