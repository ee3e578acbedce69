// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Objects;

/**
 * The keys of one partition's parking, all in the partition's hash slot on a Redis Cluster.
 *
 * @param stream the partition's stream
 * @param parked the partition's parked stream, where parked events go in order
 * @param marks  the hash of parked keys of one consumer group
 */
public record ParkingKeys(String stream, String parked, String marks) {
    /**
     * Checks that every key is there.
     *
     * @throws NullPointerException if a key is null
     */
    public ParkingKeys {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(parked, "parked");
        Objects.requireNonNull(marks, "marks");
    }
}
