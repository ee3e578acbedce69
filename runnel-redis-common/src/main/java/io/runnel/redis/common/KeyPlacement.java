// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * Where a server keeps keys: on a Redis Cluster, the hash slot of a key and the master that
 * serves the slot, as the client last saw the cluster's layout; on a single server, one slot
 * and one node for everything.
 */
public interface KeyPlacement {

    /** A single server: every key in slot 0 on the one node. */
    KeyPlacement SINGLE_SERVER = new KeyPlacement() {
        @Override
        public boolean cluster() {
            return false;
        }

        @Override
        public int slot(String key) {
            return 0;
        }

        @Override
        public Object node(int slot) {
            return "";
        }
    };

    /**
     * A Redis Cluster's placement.
     *
     * @param slot         a key's hash slot
     * @param masterOfSlot the master serving a slot by the client's layout, or null when the
     *                     layout has none for it (that slot then goes alone: its commands
     *                     fail and are retried)
     * @return a placement that reads both functions at every call, so it follows the
     *         client's layout as it changes
     */
    static KeyPlacement cluster(ToIntFunction<String> slot, IntFunction<Object> masterOfSlot) {
        return new KeyPlacement() {
            @Override
            public boolean cluster() {
                return true;
            }

            @Override
            public int slot(String key) {
                return slot.applyAsInt(key);
            }

            @Override
            public Object node(int s) {
                Object master = masterOfSlot.apply(s);
                return master != null ? master : s;
            }
        };
    }

    /**
     * Whether the server is a Redis Cluster.
     *
     * @return true for a Redis Cluster, false for a single server
     */
    boolean cluster();

    /**
     * The key's hash slot.
     *
     * @param key any key
     * @return its slot, 0 to 16383, on a cluster; 0 on a single server
     */
    int slot(String key);

    /**
     * The master serving {@code slot}, as the client's layout has it now: any value whose
     * {@code equals} tells nodes apart. The layout may be out of date (a failover, a
     * resharding); a command that reaches the wrong node is refused, never misapplied.
     *
     * @param slot a hash slot
     * @return the master's identity (one value for every slot on a single server); on a
     *         cluster, the slot number itself when the layout names no master for it
     */
    Object node(int slot);
}
