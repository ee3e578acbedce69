// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Commit;

import java.util.ArrayList;
import java.util.List;

/**
 * What completed deliveries of one partition of a processor with a context leave to commit
 * together: the ids to acknowledge, the staged sends and the state changes, in completion
 * order. Gathered by the partition's {@link CompletedIds}, committed by the {@link Acker}.
 * Not thread-safe: whoever holds it uses it from one thread at a time.
 */
final class CommitBatch {
    final PartitionCommit partition;
    final List<String> ids = new ArrayList<>();
    final List<Append> appends = new ArrayList<>();
    final List<Commit.StateWrite> writes = new ArrayList<>();
    final List<Commit.Expiry> expiries = new ArrayList<>();
    /** The last completion ({@link PartitionStates#completed}) it carries; 0 for none. */
    long lastCompletion;

    CommitBatch(PartitionCommit partition) {
        this.partition = partition;
    }

    /** Adds one completed delivery's effects; a null id for effects without an event (an idle clock tick). */
    void add(String id, DeliveryContext.Effects effects, long completion) {
        if (id != null) {
            ids.add(id);
        }
        appends.addAll(effects.appends());
        writes.addAll(partition.states().asWrites(effects.writes()));
        expiries.addAll(partition.states().expiries(effects.writes(), effects.atMillis()));
        lastCompletion = Math.max(lastCompletion, completion);
    }

    /** Adds {@code later}, which completed after this. */
    void addAll(CommitBatch later) {
        ids.addAll(later.ids);
        appends.addAll(later.appends);
        writes.addAll(later.writes);
        expiries.addAll(later.expiries);
        lastCompletion = Math.max(lastCompletion, later.lastCompletion);
    }

    boolean isEmpty() {
        return ids.isEmpty() && appends.isEmpty() && writes.isEmpty();
    }

    /** As one commit of {@code streamKey} with marker {@code marker}, sweeping expired state as it goes. */
    Commit toCommit(String streamKey, String marker) {
        return Commit.builder(streamKey, partition.markerKey(), marker).ack(ids).append(appends).write(writes)
                .expire(expiries).sweep(partition.states().sweeps()).build();
    }

    /** Whether it appends to the partition's outbox, which is then to be forwarded. */
    boolean fillsOutbox() {
        Outbox outbox = partition.outbox();
        if (outbox == null) {
            return false;
        }
        for (Append a : appends) {
            if (a.key().equals(outbox.key())) {
                return true;
            }
        }
        return false;
    }
}
