// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * Maps a partition key to a partition. Must be deterministic across JVMs, versions and
 * machines: every producer has to agree on where a key lives.
 */
public interface Hasher {

    /**
     * Name used in settings, e.g. {@code murmur3}.
     *
     * @return the name, unique among the hashers on the classpath
     */
    String name();

    /**
     * The partition that holds a key.
     *
     * @param key            the record's partition key (never null)
     * @param partitionCount number of partitions, at least 1
     * @return a partition in {@code [0, partitionCount)}
     */
    int partition(Object key, int partitionCount);
}
