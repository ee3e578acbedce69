// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;

import java.time.Duration;
import java.util.Objects;

/**
 * How often, and after what pause, a failed delivery is tried again in place before the
 * exception policy applies: the partition waits meanwhile, so per-key order holds.
 *
 * <p>The pause after the {@code k}th failed attempt is {@code initialBackoff × multiplier^(k-1)},
 * at most {@code maxBackoff}, spread by ± {@code jitter} of itself so that workers retrying
 * together drift apart.
 *
 * @param maxAttempts    tries in all, the first included; 1 for no retry
 * @param initialBackoff the pause after the first failed attempt
 * @param maxBackoff     the longest pause
 * @param multiplier     how much each pause grows over the previous one (at least 1)
 * @param jitter         the fraction of a pause it may be lengthened or shortened by, 0 to 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
                          double jitter) {

    /** One attempt: no retry. */
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ofMillis(100), Duration.ofSeconds(10), 2, 0.2);

    /**
     * Checks the values together.
     *
     * @throws Misconfigured naming the value that is out of range
     */
    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new Misconfigured("retry max attempts must be at least 1 (1: no retry), got " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
            throw new Misconfigured("retry backoffs must not be negative, got " + initialBackoff + " and " + maxBackoff);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new Misconfigured("retry max backoff (" + maxBackoff.toMillis() + " ms) must not be shorter than the "
                    + "initial backoff (" + initialBackoff.toMillis() + " ms)");
        }
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw new Misconfigured("retry backoff multiplier must be at least 1, got " + multiplier);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new Misconfigured("retry jitter must be between 0 and 1, got " + jitter);
        }
    }

    /**
     * The pause after the {@code failedAttempts}th failure.
     *
     * @param random a number in [0, 1), which places the pause within its jitter
     */
    Duration backoff(int failedAttempts, double random) {
        double millis = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, failedAttempts - 1));
        millis = Math.min(millis, maxBackoff.toMillis());
        millis *= 1 + jitter * (2 * random - 1);
        return Duration.ofMillis(Math.max(0, Math.round(millis)));
    }
}
