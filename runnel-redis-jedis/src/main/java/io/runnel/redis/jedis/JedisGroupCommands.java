// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.TransportArgs;
import io.runnel.redis.common.FencedCommands;
import io.runnel.redis.common.GroupInfoScript;
import io.runnel.redis.common.RedisReplies;
import io.runnel.redis.common.SlotGroups;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * {@link JedisTransport}'s consumer-group commands: creating and destroying groups, reading
 * as a consumer (also the reads before a fenced check), acknowledging, and the pending
 * count and group status.
 */
final class JedisGroupCommands {
    private final JedisConnection connection;

    JedisGroupCommands(JedisConnection connection) {
        this.connection = connection;
    }

    void createGroup(List<String> keys, String group, String startId) {
        connection.ensureOpen();
        List<CommandArguments> creates = new ArrayList<>(keys.size());
        for (String key : keys) {
            creates.add(Commands.xgroupCreate(key, group, startId));
        }
        for (Object created : connection.pipeline("XGROUP CREATE", creates)) {
            // BUSYGROUP: the group exists and must be left as it is (its offset included).
            if (created instanceof JedisDataException error && !RedisReplies.groupExists(error)) {
                throw connection.failures().translate("XGROUP CREATE", error);
            }
        }
    }

    void destroyGroup(List<String> keys, String group) {
        connection.ensureOpen();
        List<CommandArguments> destroys = new ArrayList<>(keys.size());
        for (String key : keys) {
            destroys.add(Commands.xgroupDestroy(key, group));
        }
        for (Object destroyed : connection.pipeline("XGROUP DESTROY", destroys)) {
            // A missing key has no group to destroy; Redis calls that an error, we do not.
            if (destroyed instanceof JedisDataException error && !RedisReplies.keyMissing(error)) {
                throw connection.failures().translate("XGROUP DESTROY", error);
            }
        }
    }

    Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                             int count, Duration block) {
        connection.ensureOpen();
        if (idsByKey.isEmpty()) {
            return Map.of(); // XREADGROUP needs a stream: nothing to ask the server
        }
        long blockMillis = TransportArgs.blockMillis(block);
        if (connection.cluster() != null) {
            Map<Integer, List<Integer>> bySlot = SlotSplits.bySlot(List.copyOf(idsByKey.keySet()));
            if (bySlot.size() > 1) {
                if (blockMillis > 0) {
                    throw SlotGroups.blockingAcrossSlots(bySlot.keySet());
                }
                return SlotSplits.readGroup(group, consumer, idsByKey, bySlot, count, connection::callAll);
            }
        }
        CommandArguments xreadgroup = Commands.xreadgroup(group, consumer, idsByKey, count, blockMillis);
        Object reply = blockMillis > 0
                ? connection.onBlockingConnection("XREADGROUP", block, xreadgroup)
                : connection.call("XREADGROUP", xreadgroup);
        return Replies.byKey(idsByKey.keySet(), reply);
    }

    /**
     * Each unit's XREADGROUPs and then its script run, pipelined: a blocking read's own
     * connection, else a pooled one (on a cluster, one per master, where a unit's commands
     * keep their order). Runs' error replies come back in place; a failed read throws.
     */
    List<FencedCommands.ReadAndRun> readThenRun(String group, String consumer,
                                                List<FencedCommands.ReadUnit> units, int count, Duration block) {
        long blockMillis = TransportArgs.blockMillis(block);
        List<CommandArguments> batch = new ArrayList<>();
        for (FencedCommands.ReadUnit unit : units) {
            for (Map<String, String> ids : unit.reads()) {
                batch.add(Commands.xreadgroup(group, consumer, ids, count, blockMillis));
            }
            batch.add(Commands.script(Command.EVALSHA, unit.sha(), unit.check().keys(), unit.check().args()));
        }
        List<Object> replies = blockMillis > 0
                ? connection.onBlockingConnection("XREADGROUP", block, batch)
                : connection.pipeline("XREADGROUP", batch);
        List<FencedCommands.ReadAndRun> got = new ArrayList<>(units.size());
        int at = 0;
        for (FencedCommands.ReadUnit unit : units) {
            Map<String, List<StreamEntry>> entries = new LinkedHashMap<>();
            for (Map<String, String> ids : unit.reads()) {
                if (replies.get(at) instanceof JedisDataException error) {
                    throw connection.failures().translate("XREADGROUP", error);
                }
                entries.putAll(Replies.byKey(ids.keySet(), replies.get(at++)));
            }
            got.add(new FencedCommands.ReadAndRun(entries, replies.get(at++)));
        }
        return got;
    }

    void ack(String group, Map<String, List<String>> idsByKey) {
        connection.ensureOpen();
        List<CommandArguments> acks = new ArrayList<>(idsByKey.size());
        idsByKey.forEach((key, ids) -> {
            if (!ids.isEmpty()) {
                acks.add(Commands.xack(key, group, ids));
            }
        });
        connection.callAll("XACK", acks);
    }

    long pendingCount(String key, String group) {
        connection.ensureOpen();
        return Replies.integer(Replies.array(connection.call("XPENDING", Commands.xpending(key, group))).get(0));
    }

    Optional<GroupInfo> groupInfo(String key, String group) {
        connection.ensureOpen();
        // Status reads are rare: plain EVAL, not worth caching the script by its SHA-1.
        Object reply = connection.call("group info",
                Commands.script(Command.EVAL, GroupInfoScript.SOURCE, key, Commands.utf8(group)));
        return GroupInfoScript.parse(Replies.array(reply));
    }
}
