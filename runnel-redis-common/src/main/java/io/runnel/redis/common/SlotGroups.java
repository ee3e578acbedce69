// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * How the Redis transports split a call over several keys for a Redis Cluster, where one
 * command may only name keys of one hash slot, whichever client sends it.
 */
public final class SlotGroups {
    private SlotGroups() {
    }

    /**
     * Positions 0..n-1 grouped by the hash slot of their key: slots in first-seen order,
     * positions in order within each, so replies can be put back in the caller's order.
     *
     * @param n    how many keys the call names
     * @param key  the key at a position
     * @param slot a key's hash slot
     * @return per slot, the positions of its keys
     */
    public static Map<Integer, List<Integer>> positionsBySlot(int n, IntFunction<String> key, ToIntFunction<String> slot) {
        Map<Integer, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            groups.computeIfAbsent(slot.applyAsInt(key.apply(i)), s -> new ArrayList<>()).add(i);
        }
        return groups;
    }

    /**
     * Why a blocking read over several slots is refused: one blocking command cannot span them.
     *
     * @param slots the slots the read's streams are in
     * @return the refusal, naming them
     */
    public static IllegalArgumentException blockingAcrossSlots(Collection<Integer> slots) {
        return new IllegalArgumentException("on a Redis Cluster a blocking read names streams of one hash slot; "
                + "these are in slots " + slots);
    }
}
