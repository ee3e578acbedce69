// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.StreamEntry;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The one-partition stream "seen" where worker processes record what they processed (see
 * {@link WorkerProcessMain}), read as it grows, each record with the time Redis took it (its
 * entry id's milliseconds): when each event was processed, as the processes' clocks and the
 * test's are the same machine's.
 */
final class SeenTimeline {

    /** An event processed by process {@code pid}, recorded at {@code at} (epoch ms). */
    record Processed(String key, int seq, long pid, long at) {
    }

    private final Stream<WorkerProcessMain.Seen> seen;
    private final List<Processed> all = new ArrayList<>();
    private String after = "-";

    SeenTimeline(Stream<WorkerProcessMain.Seen> seen) {
        this.seen = seen;
    }

    /** Reads what was recorded since the last call; every record so far, in order. */
    synchronized List<Processed> refresh() {
        while (true) {
            List<StreamEntry> page = seen.host().transport().range(seen.partitionKey(0), after, "+", 5_000);
            for (StreamEntry e : page) {
                WorkerProcessMain.Seen s = seen.codec().decode(e.fields());
                all.add(new Processed(s.key(), s.seq(), s.pid(), Long.parseLong(e.id().substring(0, e.id().indexOf('-')))));
                after = "(" + e.id();
            }
            if (page.size() < 5_000) {
                return List.copyOf(all);
            }
        }
    }

    /** The records of {@code keys} so far (as of the last {@link #refresh}), in order. */
    synchronized List<Processed> of(Collection<String> keys) {
        return all.stream().filter(p -> keys.contains(p.key())).toList();
    }
}
