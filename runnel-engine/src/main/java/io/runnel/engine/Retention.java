// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;
import io.runnel.api.transport.RetentionPass;

import java.time.Duration;
import java.util.Objects;

/**
 * How a stream's partitions are trimmed, so Redis memory stays bounded without losing
 * events nobody has processed. Set per stream with {@link StreamOptions}, else from the
 * {@code default_retention*} settings.
 *
 * <p>The owners of a partition trim it every {@code interval}: under {@link Policy#ACKED},
 * below the oldest entry that any consumer group on the stream still needs (its oldest
 * unacknowledged entry, else the entry after the last one delivered to it). Then, under
 * either policy, the limits: entries older than {@code maxAge}, and the oldest entries
 * beyond {@code maxPartitionSize}, go whether processed or not. A trim that removes entries
 * a group had not read is reported: an error log, the {@code trimmed-unprocessed} meter and
 * {@code trimmed_unprocessed} in status.
 *
 * @param policy           what is trimmed without a limit being reached
 * @param partitionSize    under {@link Policy#MAXLEN}: the approximate length each send
 *                         trims its partition to ({@code MAXLEN ~})
 * @param maxPartitionSize the most entries a partition keeps, processed or not; 0 for no
 *                         limit. Under {@link Policy#ACKED} sends also trim to it
 *                         ({@code MAXLEN ~}), so it holds while no worker runs
 * @param maxAge           the oldest entry a partition keeps, by stream-id time, processed
 *                         or not; zero for no limit
 * @param interval         how often a partition's owners trim it
 */
public record Retention(Policy policy, long partitionSize, long maxPartitionSize, Duration maxAge, Duration interval) {

    /** What a partition's owners trim besides the limits. */
    public enum Policy {
        /**
         * Whatever every consumer group on the stream has acknowledged, and nothing else. A
         * group that does not exist yet (a processor never started) protects nothing.
         */
        ACKED,
        /**
         * Each send trims its partition to about {@code partition_size} entries, processed
         * or not (Python runnel's behaviour).
         */
        MAXLEN;
    }

    /**
     * Checks the values.
     *
     * @throws NullPointerException if {@code policy}, {@code maxAge} or {@code interval} is null
     * @throws Misconfigured        naming the value that is out of range
     */
    public Retention {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(maxAge, "maxAge");
        Objects.requireNonNull(interval, "interval");
        if (partitionSize < 1) {
            throw new Misconfigured("partition_size must be at least 1, got " + partitionSize);
        }
        if (maxPartitionSize < 0) {
            throw new Misconfigured("max_partition_size must not be negative (0: no limit), got " + maxPartitionSize);
        }
        if (maxAge.isNegative()) {
            throw new Misconfigured("max_age must not be negative (0: no limit), got " + maxAge);
        }
        if (interval.isNegative() || interval.isZero()) {
            throw new Misconfigured("retention_interval must be positive, got " + interval);
        }
    }

    /** The {@code MAXLEN ~} a send applies; 0 for none. */
    long sendMaxLength() {
        return policy == Policy.MAXLEN ? partitionSize : maxPartitionSize;
    }

    /**
     * Whether only acknowledgements can make a pass trim anything: the acked policy with no
     * limit. Then an owner may skip a partition its own executor acknowledged nothing in since
     * its last pass (see {@code Retainer}); a limit or the maxlen audit needs every pass.
     */
    boolean trimsOnlyAcked() {
        return policy == Policy.ACKED && maxPartitionSize == 0 && maxAge.isZero();
    }

    /** One owner's pass over one partition. */
    RetentionPass pass(String key, String recordKey) {
        return new RetentionPass(key, recordKey, policy == Policy.ACKED, maxAge, maxPartitionSize);
    }

    /** For logs and status: {@code acked}, {@code maxlen 50000}, plus any limits. */
    String describe() {
        StringBuilder s = new StringBuilder(policy == Policy.ACKED ? "acked" : "maxlen " + partitionSize);
        if (maxPartitionSize > 0) {
            s.append(", max ").append(maxPartitionSize).append(" entries");
        }
        if (!maxAge.isZero()) {
            s.append(", max age ").append(maxAge.toSeconds()).append(" s");
        }
        return s.toString();
    }
}
