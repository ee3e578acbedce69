// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.StreamEntry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What worker processes recorded in the one-partition stream "seen", in the order it was
 * recorded: which events were processed, and by which process.
 */
final class SeenRecords {
    private final List<WorkerProcessMain.Seen> records;

    private SeenRecords(List<WorkerProcessMain.Seen> records) {
        this.records = records;
    }

    static SeenRecords read(Stream<WorkerProcessMain.Seen> seen) {
        List<WorkerProcessMain.Seen> records = new ArrayList<>();
        for (StreamEntry e : seen.host().transport().range(seen.partitionKey(0), "-", "+", 1_000_000)) {
            records.add(seen.codec().decode(e.fields()));
        }
        return new SeenRecords(records);
    }

    /** Distinct events processed. */
    int distinct() {
        Set<String> events = new HashSet<>();
        for (WorkerProcessMain.Seen s : records) {
            events.add(s.key() + "/" + s.seq());
        }
        return events.size();
    }

    Set<Long> pids() {
        Set<Long> pids = new HashSet<>();
        records.forEach(s -> pids.add(s.pid()));
        return pids;
    }

    /** The records as a processed log, for its order and completeness checks. */
    ProcessedLog log() {
        ProcessedLog log = new ProcessedLog();
        records.forEach(s -> log.add(s.key(), s.seq()));
        return log;
    }
}
