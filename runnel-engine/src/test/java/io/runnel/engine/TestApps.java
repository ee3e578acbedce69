// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Primitive;
import io.runnel.testkit.FastCoordination;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** Apps with timings fast enough for tests, and the records the tests send. */
final class TestApps {
    private static final AtomicInteger NEXT = new AtomicInteger();

    /** A structured record: key decides the partition, seq counts per key. */
    record Order(String key, int seq, Instant createdAt, double amount) {
        Order(String key, int seq) {
            this(key, seq, Instant.parse("2024-01-02T03:04:05Z"), seq * 1.5);
        }
    }

    /** A primitive record: each component is its own stream field. */
    @Primitive
    record Click(String user, long at, int count, double score, boolean mobile, byte[] payload) {
    }

    private TestApps() {
    }

    static String uniqueName(String prefix) {
        return prefix + NEXT.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100000, 36);
    }

    /**
     * Settings for tests: no join delay, frequent rebalance checks and heartbeats, short
     * reads and grace period. Environment ignored, so a developer's RUNNEL_* does not leak in.
     */
    static App.Builder builder(String name, String redisUrl) {
        App.Builder builder = App.builder(name)
                .environment(Map.of())
                .redisUrl(redisUrl)
                .setting("default_partition_count", 4);
        FastCoordination.settings().forEach(builder::setting);
        return builder;
    }

    static App app(String name, String redisUrl) {
        return builder(name, redisUrl).build();
    }

    /** {@code perKey} orders for each of {@code keys} keys, interleaved the way a producer would send them. */
    static List<Order> orders(int keys, int perKey) {
        List<Order> all = new ArrayList<>(keys * perKey);
        for (int seq = 0; seq < perKey; seq++) {
            for (int k = 0; k < keys; k++) {
                all.add(new Order("key-" + k, seq));
            }
        }
        return all;
    }

    static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }
}
