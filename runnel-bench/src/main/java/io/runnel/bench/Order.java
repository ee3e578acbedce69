// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.time.Instant;

/** The benchmark event: about 100 bytes as JSON. */
public record Order(long id, String customer, double amount, Instant at) {

    /** A deterministic order for {@code i}. */
    public static Order sample(long i) {
        return new Order(i, "customer-%05d".formatted(i % 10_000), (i % 100_000) / 100.0 + 0.99,
                Instant.ofEpochMilli(1_764_000_000_000L + i));
    }
}
