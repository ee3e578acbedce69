// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.List;
import java.util.Objects;

/**
 * One processor in a {@link Status}: its members (executors, one per worker running it) and its
 * partitions.
 *
 * <p>An immutable value that only Runnel creates; a later version may add accessors to it, so
 * read it through its methods. Two are equal when every value they hold is.
 */
public final class ProcessorStatus {
    private final String name;
    private final String stream;
    private final String retention;
    private final long assignmentGeneration;
    private final List<MemberStatus> members;
    private final List<PartitionStatus> partitions;

    /**
     * Checks the parts and copies the lists.
     *
     * @throws NullPointerException if a part is null
     */
    ProcessorStatus(String name, String stream, String retention, long assignmentGeneration,
                    List<MemberStatus> members, List<PartitionStatus> partitions) {
        this.name = Objects.requireNonNull(name, "name");
        this.stream = Objects.requireNonNull(stream, "stream");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.assignmentGeneration = assignmentGeneration;
        this.members = List.copyOf(members);
        this.partitions = List.copyOf(partitions);
    }

    /**
     * The processor's name, which is also its consumer group's.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The stream the processor reads.
     *
     * @return the stream's name
     */
    public String stream() {
        return stream;
    }

    /**
     * The stream's retention as this app defines it.
     *
     * @return {@code acked} or {@code maxlen N}, then any limits
     */
    public String retention() {
        return retention;
    }

    /**
     * How many times the membership record (who is assigned which partitions) has changed.
     *
     * @return the generation; 0 before any worker joined
     */
    public long assignmentGeneration() {
        return assignmentGeneration;
    }

    /**
     * The members recorded in {@code __memb:…}.
     *
     * @return the members, oldest first
     */
    public List<MemberStatus> members() {
        return members;
    }

    /**
     * Every partition of the stream.
     *
     * @return their statuses, in partition order
     */
    public List<PartitionStatus> partitions() {
        return partitions;
    }

    /**
     * The status of one partition.
     *
     * @param partition the partition number
     * @return its status
     * @throws IndexOutOfBoundsException if the stream has no such partition
     */
    public PartitionStatus partition(int partition) {
        return partitions.get(partition);
    }

    /**
     * The keys the processor parked, over all partitions, sorted.
     *
     * @return the parked keys, as text
     */
    public List<String> parkedKeys() {
        return partitions.stream().flatMap(p -> p.parkedKeys().stream()).sorted().toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProcessorStatus p && name.equals(p.name) && stream.equals(p.stream)
                && retention.equals(p.retention) && assignmentGeneration == p.assignmentGeneration
                && members.equals(p.members) && partitions.equals(p.partitions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, stream, retention, assignmentGeneration, members, partitions);
    }

    @Override
    public String toString() {
        return "ProcessorStatus[name=" + name + ", stream=" + stream + ", retention=" + retention
                + ", assignmentGeneration=" + assignmentGeneration + ", members=" + members
                + ", partitions=" + partitions + "]";
    }
}
