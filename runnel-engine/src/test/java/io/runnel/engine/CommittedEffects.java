// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.Map;
import java.util.TreeMap;

/** What processors with a context committed, read from Redis for the tests' checks. */
final class CommittedEffects {
    private CommittedEffects() {
    }

    /** A processor's committed keyed state {@code state} of values that are whole numbers: key → value. */
    static Map<String, Long> committed(App app, String processor, String state) {
        Processor<?> p = app.processor(processor);
        Map<String, Long> out = new TreeMap<>();
        for (int partition = 0; partition < p.stream().partitionCount(); partition++) {
            app.transport().getHash(p.stateKey(state, partition)).forEach((k, v) -> out.put(k, Long.parseLong(v)));
        }
        return out;
    }

    /** The entries of a processor's stream not yet acknowledged, over every partition. */
    static long pending(App app, String processor) {
        Processor<?> p = app.processor(processor);
        long n = 0;
        for (int partition = 0; partition < p.stream().partitionCount(); partition++) {
            n += app.transport().pendingCount(p.stream().partitionKey(partition), p.group());
        }
        return n;
    }
}
