// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** Who holds the partition locks of processor "proc" of stream "orders", read from Redis as any process would. */
final class LockOwners {
    private LockOwners() {
    }

    /** The executors holding partition locks now. */
    static Set<String> of(App app, int partitions) {
        Set<String> owners = new HashSet<>();
        for (int p = 0; p < partitions; p++) {
            lock(app, p).map(PartitionLocks::ownerOf).ifPresent(owners::add);
        }
        return owners;
    }

    /** How many partitions have a lock. */
    static int locked(App app, int partitions) {
        int n = 0;
        for (int p = 0; p < partitions; p++) {
            n += lock(app, p).isPresent() ? 1 : 0;
        }
        return n;
    }

    private static Optional<String> lock(App app, int partition) {
        return app.transport().get(Keys.lock(app.name(), "orders", "proc", partition));
    }
}
