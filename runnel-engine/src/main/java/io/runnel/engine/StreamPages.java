// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;

import java.util.ArrayList;
import java.util.List;

/** Reads a whole stream (or its tail) in pages, for the operator tools. */
final class StreamPages {
    private static final int PAGE = 1000;

    private StreamPages() {
    }

    /** Every entry of the stream, oldest first. */
    static List<StreamEntry> all(Transport transport, String key) {
        return from(transport, key, "-", Integer.MAX_VALUE);
    }

    /** Up to {@code limit} entries with ids from {@code start} on (inclusive; {@code -} for the first), oldest first. */
    static List<StreamEntry> from(Transport transport, String key, String start, int limit) {
        List<StreamEntry> entries = new ArrayList<>();
        String from = start;
        while (entries.size() < limit) {
            int asked = Math.min(PAGE, limit - entries.size());
            List<StreamEntry> page = transport.range(key, from, "+", asked);
            entries.addAll(page);
            if (page.size() < asked) {
                break;
            }
            from = "(" + page.get(page.size() - 1).id();
        }
        return entries;
    }
}
