// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.ServerMemory;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of an app's processors as Redis holds them, from {@link App#status()}: who the
 * members are, which partitions each was assigned and which it holds, and how far behind
 * each partition is. Reading it changes nothing, so any process can take one beside
 * running workers (the {@code runnel status} command does).
 *
 * <p>The values are read one key after another, not atomically: during a rebalance a
 * snapshot can show a partition assigned to one member and still locked by another.
 *
 * <p>This class and the ones it holds ({@link ProcessorStatus}, {@link MemberStatus},
 * {@link PartitionStatus}, {@link Halted}) are immutable values that only Runnel creates; a
 * later version may add accessors to them (as Redis comes to hold more about an app), so read
 * them through their methods. Two snapshots are equal when every value they hold is.
 */
public final class Status {
    private final String app;
    private final Instant at;
    private final Optional<String> leader;
    private final List<ProcessorStatus> processors;
    private final List<ServerMemory> redisMemory;

    /**
     * Checks the parts and copies the lists.
     *
     * @throws NullPointerException if a part is null
     */
    Status(String app, Instant at, Optional<String> leader, List<ProcessorStatus> processors,
           List<ServerMemory> redisMemory) {
        this.app = Objects.requireNonNull(app, "app");
        this.at = Objects.requireNonNull(at, "at");
        this.leader = Objects.requireNonNull(leader, "leader");
        this.processors = List.copyOf(processors);
        this.redisMemory = List.copyOf(redisMemory);
    }

    /**
     * The app's name.
     *
     * @return the name
     */
    public String app() {
        return app;
    }

    /**
     * When the snapshot was taken, on the app's clock; the ages in it are relative to this.
     *
     * @return the time of the snapshot
     */
    public Instant at() {
        return at;
    }

    /**
     * The worker holding the app's leadership ({@code __lead:<app>}).
     *
     * @return its id; empty when no worker leads
     */
    public Optional<String> leader() {
        return leader;
    }

    /**
     * Every processor the app defines.
     *
     * @return their statuses, in definition order
     */
    public List<ProcessorStatus> processors() {
        return processors;
    }

    /**
     * How full Redis's memory is.
     *
     * @return one entry for a single server, one per master of a Redis Cluster; empty when
     *         unknown (the in-memory transport, or a server that does not let this user read
     *         {@code INFO})
     */
    public List<ServerMemory> redisMemory() {
        return redisMemory;
    }

    /**
     * The status of one processor.
     *
     * @param name the processor's name
     * @return its status
     * @throws IllegalArgumentException if the app has no processor of that name
     */
    public ProcessorStatus processor(String name) {
        return processors.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no processor '" + name + "' in app " + app));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Status s && app.equals(s.app) && at.equals(s.at) && leader.equals(s.leader)
                && processors.equals(s.processors) && redisMemory.equals(s.redisMemory);
    }

    @Override
    public int hashCode() {
        return Objects.hash(app, at, leader, processors, redisMemory);
    }

    @Override
    public String toString() {
        return "Status[app=" + app + ", at=" + at + ", leader=" + leader + ", processors=" + processors
                + ", redisMemory=" + redisMemory + "]";
    }
}
