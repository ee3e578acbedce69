// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

/**
 * The engine's monotonic time source, in nanoseconds, with {@link System#nanoTime()}'s
 * meaning: only differences between two readings mean anything. Leases, processing-time
 * limits and the coordinator's waits read it, so a test can bind a ticker it moves by hand
 * (through the app's Guice modules) and step the coordinator through lease expiries and
 * stuck deliveries without waiting for them.
 */
@FunctionalInterface
interface Ticker {
    /** The JVM's monotonic clock. */
    Ticker SYSTEM = System::nanoTime;

    /**
     * The current reading.
     *
     * @return nanoseconds since an arbitrary origin
     */
    long nanos();
}
