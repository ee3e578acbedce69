// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** What processors saw, from any thread, with the checks the semantics require. */
final class ProcessedLog {
    private final Map<String, List<Integer>> seqsByKey = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    void add(String key, int seq) {
        seqsByKey.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(seq);
        count.incrementAndGet();
    }

    void add(TestApps.Order order) {
        add(order.key(), order.seq());
    }

    int count() {
        return count.get();
    }

    /** Every key's events were seen exactly once each, in the order they were sent. */
    void assertExactlyOnceInOrder(int keys, int perKey) {
        assertThat(seqsByKey).hasSize(keys);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            expected.add(i);
        }
        seqsByKey.forEach((key, seqs) -> {
            synchronized (seqs) {
                assertThat(seqs).as("sequence seen for %s", key).containsExactlyElementsOf(expected);
            }
        });
    }

    /** Every event was seen at least once, and each key's first sightings are in order. */
    void assertAtLeastOnceInOrder(int keys, int perKey) {
        assertThat(seqsByKey).hasSize(keys);
        seqsByKey.forEach((key, seqs) -> {
            synchronized (seqs) {
                Set<Integer> seen = new HashSet<>(seqs);
                for (int i = 0; i < perKey; i++) {
                    assertThat(seen).as("events of %s", key).contains(i);
                }
                // A redelivery after a crash replays a suffix; the first time each seq is seen is in order.
                List<Integer> firstSightings = new ArrayList<>();
                Set<Integer> already = new HashSet<>();
                for (int s : seqs) {
                    if (already.add(s)) {
                        firstSightings.add(s);
                    }
                }
                assertThat(firstSightings).as("first sightings for %s", key).isSorted();
            }
        });
    }

    int duplicates() {
        int dups = 0;
        for (List<Integer> seqs : seqsByKey.values()) {
            synchronized (seqs) {
                dups += seqs.size() - new HashSet<>(seqs).size();
            }
        }
        return dups;
    }

    Map<String, List<Integer>> snapshot() {
        Map<String, List<Integer>> copy = new HashMap<>();
        seqsByKey.forEach((k, v) -> {
            synchronized (v) {
                copy.put(k, List.copyOf(v));
            }
        });
        return copy;
    }
}
