// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.StreamEntry;
import io.runnel.redis.common.SlotGroups;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The multi-key commands that a Redis Cluster takes only over keys of one hash slot (MGET,
 * DEL, XREADGROUP over several streams), split into one command per slot. The commands go
 * out together, so the cluster code sends each to its node in one round trip, and their
 * replies are put back in the caller's order. Used on a cluster only.
 */
final class SlotSplits {

    /** Sends commands and fails on the first error reply, as {@code JedisConnection.callAll} does. */
    @FunctionalInterface
    interface Calls {
        List<Object> callAll(String operation, List<CommandArguments> commands);
    }

    private SlotSplits() {
    }

    /** Positions of keys by their hash slot: slots in first-seen order, positions in order. */
    static Map<Integer, List<Integer>> bySlot(List<String> keys) {
        return SlotGroups.positionsBySlot(keys.size(), keys::get, JedisClusterCRC16::getSlot);
    }

    /** MGET per slot: each key's value (or null), in key order. */
    static List<Object> mget(List<String> keys, Map<Integer, List<Integer>> bySlot, Calls calls) {
        List<CommandArguments> gets = new ArrayList<>(bySlot.size());
        for (List<Integer> positions : bySlot.values()) {
            gets.add(Commands.mget(pick(keys, positions)));
        }
        List<Object> replies = calls.callAll("MGET", gets);
        Object[] values = new Object[keys.size()];
        int g = 0;
        for (List<Integer> positions : bySlot.values()) {
            List<Object> some = Replies.array(replies.get(g++));
            for (int j = 0; j < positions.size(); j++) {
                values[positions.get(j)] = some.get(j);
            }
        }
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    /** DEL per slot. */
    static void del(List<String> keys, Map<Integer, List<Integer>> bySlot, Calls calls) {
        List<CommandArguments> deletes = new ArrayList<>(bySlot.size());
        for (List<Integer> positions : bySlot.values()) {
            deletes.add(Commands.del(pick(keys, positions)));
        }
        calls.callAll("DEL", deletes);
    }

    /**
     * A non-blocking XREADGROUP per slot: the entries by key, keys in the caller's order,
     * those without entries left out.
     */
    static Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                                    Map<Integer, List<Integer>> bySlot, int count, Calls calls) {
        List<String> keys = List.copyOf(idsByKey.keySet());
        List<List<String>> keysBySlot = new ArrayList<>(bySlot.size());
        List<CommandArguments> reads = new ArrayList<>(bySlot.size());
        for (List<Integer> positions : bySlot.values()) {
            Map<String, String> sameSlot = new LinkedHashMap<>();
            for (int i : positions) {
                sameSlot.put(keys.get(i), idsByKey.get(keys.get(i)));
            }
            keysBySlot.add(List.copyOf(sameSlot.keySet()));
            reads.add(Commands.xreadgroup(group, consumer, sameSlot, count, 0));
        }
        List<Object> replies = calls.callAll("XREADGROUP", reads);
        Map<String, List<StreamEntry>> found = new HashMap<>();
        for (int g = 0; g < reads.size(); g++) {
            found.putAll(Replies.byKey(keysBySlot.get(g), replies.get(g)));
        }
        Map<String, List<StreamEntry>> ordered = new LinkedHashMap<>();
        for (String key : keys) {
            List<StreamEntry> entries = found.get(key);
            if (entries != null) {
                ordered.put(key, entries);
            }
        }
        return Collections.unmodifiableMap(ordered);
    }

    private static List<String> pick(List<String> keys, List<Integer> positions) {
        List<String> some = new ArrayList<>(positions.size());
        for (int i : positions) {
            some.add(keys.get(i));
        }
        return some;
    }
}
