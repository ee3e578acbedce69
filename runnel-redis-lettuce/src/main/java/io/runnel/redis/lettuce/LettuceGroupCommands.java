// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.Consumer;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.TransportArgs;
import io.runnel.redis.common.FencedCommands;
import io.runnel.redis.common.GroupInfoScript;
import io.runnel.redis.common.RedisReplies;
import io.runnel.redis.common.SlotGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@link LettuceTransport}'s consumer-group commands: creating and destroying groups, reading
 * as a consumer (also the reads before a fenced check), acknowledging, and the pending
 * count and group status.
 */
final class LettuceGroupCommands {
    private final LettuceConnection connection;

    LettuceGroupCommands(LettuceConnection connection) {
        this.connection = connection;
    }

    void createGroup(List<String> keys, String group, String startId) {
        connection.ensureOpen();
        List<RedisFuture<String>> creates = new ArrayList<>(keys.size());
        for (String key : keys) {
            XGroupCreateArgs args = new XGroupCreateArgs().mkstream(true);
            if (TransportArgs.fromTheStart(startId)) {
                args.entriesRead(0); // see TransportArgs.fromTheStart
            }
            creates.add(connection.commands().xgroupCreate(StreamOffset.from(key, startId), group, args));
        }
        Replies replies = connection.replies();
        for (Replies.Settled<String> created : replies.settleAll("XGROUP CREATE", creates, connection.timeout())) {
            // BUSYGROUP: the group exists and must be left as it is (its offset included).
            if (created.failed() && !RedisReplies.groupExists(created.error())) {
                throw replies.failure("XGROUP CREATE", created.error());
            }
        }
    }

    void destroyGroup(List<String> keys, String group) {
        connection.ensureOpen();
        List<RedisFuture<Boolean>> destroys = new ArrayList<>(keys.size());
        for (String key : keys) {
            destroys.add(connection.commands().xgroupDestroy(key, group));
        }
        Replies replies = connection.replies();
        for (Replies.Settled<Boolean> destroyed : replies.settleAll("XGROUP DESTROY", destroys, connection.timeout())) {
            // A missing key has no group to destroy; Redis calls that an error, we do not.
            if (destroyed.failed() && !RedisReplies.keyMissing(destroyed.error())) {
                throw replies.failure("XGROUP DESTROY", destroyed.error());
            }
        }
    }

    Map<String, List<StreamEntry>> readGroup(String group, String consumer, Map<String, String> idsByKey,
                                             int count, Duration block) {
        connection.ensureOpen();
        if (idsByKey.isEmpty()) {
            return Map.of();
        }
        if (connection.cluster()) {
            List<String> keys = List.copyOf(idsByKey.keySet());
            Map<Integer, List<Integer>> bySlot = SlotGroups.positionsBySlot(keys.size(), keys::get, SlotHash::getSlot);
            if (bySlot.size() > 1) {
                if (TransportArgs.isBlocking(block)) {
                    throw SlotGroups.blockingAcrossSlots(bySlot.keySet());
                }
                Map<String, List<StreamEntry>> found = new HashMap<>();
                for (List<Integer> positions : bySlot.values()) {
                    Map<String, String> sameSlot = new LinkedHashMap<>();
                    positions.forEach(i -> sameSlot.put(keys.get(i), idsByKey.get(keys.get(i))));
                    found.putAll(readGroup(group, consumer, sameSlot, count, null));
                }
                Map<String, List<StreamEntry>> ordered = new LinkedHashMap<>();
                keys.stream().filter(found::containsKey).forEach(k -> ordered.put(k, found.get(k)));
                return Collections.unmodifiableMap(ordered);
            }
        }
        XReadArgs args = StreamArgs.readArgs(count, block);
        StreamOffset<String>[] offsets = StreamArgs.offsets(idsByKey);
        Consumer<String> reader = Consumer.from(group, consumer);
        List<StreamMessage<String, byte[]>> messages = TransportArgs.isBlocking(block)
                ? connection.onBlockingConnection(idsByKey.keySet().iterator().next(), block, (own, wait) ->
                        connection.replies().await("XREADGROUP",
                                LettuceConnection.async(own).xreadgroup(reader, args, offsets), wait))
                : connection.await("XREADGROUP", connection.commands().xreadgroup(reader, args, offsets));
        return Entries.byKey(idsByKey.keySet(), messages);
    }

    /**
     * Each unit's XREADGROUPs and then its script run, pipelined: on a blocking read's own
     * connection, else on the shared one (on a cluster, the shared connection's link to the
     * unit's master keeps its commands in order). Runs' error replies come back in place; a
     * failed read throws.
     */
    List<FencedCommands.ReadAndRun> readThenRun(String group, String consumer,
                                                List<FencedCommands.ReadUnit> units, int count, Duration block) {
        XReadArgs args = StreamArgs.readArgs(count, block);
        Consumer<String> reader = Consumer.from(group, consumer);
        Function<RedisClusterAsyncCommands<String, byte[]>, List<SentUnit>> send = async -> {
            List<SentUnit> sent = new ArrayList<>(units.size());
            for (FencedCommands.ReadUnit unit : units) {
                List<RedisFuture<List<StreamMessage<String, byte[]>>>> reads = new ArrayList<>(unit.reads().size());
                for (Map<String, String> ids : unit.reads()) {
                    reads.add(async.xreadgroup(reader, args, StreamArgs.offsets(ids)));
                }
                sent.add(new SentUnit(reads, async.evalsha(unit.sha(), ScriptOutputType.MULTI,
                        unit.check().keys().toArray(String[]::new), unit.check().args().toArray(byte[][]::new))));
            }
            return sent;
        };
        if (!TransportArgs.isBlocking(block)) {
            return awaitUnits(send.apply(connection.commands()), units, connection.timeout());
        }
        // A blocking read names streams of one slot: one unit, on the slot's master.
        return connection.onBlockingConnection(units.get(0).keys().get(0), block, (own, wait) -> {
            // The read and the check leave in one write: flushing each wakes the event loop once
            // more per read, which cost more CPU than the check itself. The connection is ours alone.
            own.setAutoFlushCommands(false);
            List<SentUnit> sent;
            try {
                sent = send.apply(LettuceConnection.async(own));
            } finally {
                own.flushCommands();
                own.setAutoFlushCommands(true);
            }
            return awaitUnits(sent, units, wait);
        });
    }

    /** A unit of {@link #readThenRun}, in flight: its reads and its check. */
    private record SentUnit(List<RedisFuture<List<StreamMessage<String, byte[]>>>> reads, RedisFuture<Object> check) {
    }

    private List<FencedCommands.ReadAndRun> awaitUnits(List<SentUnit> sent, List<FencedCommands.ReadUnit> units,
                                                       Duration wait) {
        Replies replies = connection.replies();
        List<FencedCommands.ReadAndRun> got = new ArrayList<>(sent.size());
        for (int u = 0; u < sent.size(); u++) {
            List<StreamMessage<String, byte[]>> messages = new ArrayList<>();
            for (RedisFuture<List<StreamMessage<String, byte[]>>> read : sent.get(u).reads()) {
                messages.addAll(replies.await("XREADGROUP", read, wait));
            }
            Object reply = replies.settleAll("fenced read check", List.of(sent.get(u).check()), connection.timeout())
                    .get(0).valueOrError();
            got.add(new FencedCommands.ReadAndRun(Entries.byKey(units.get(u).keys(), messages), reply));
        }
        return got;
    }

    void ack(String group, Map<String, List<String>> idsByKey) {
        connection.ensureOpen();
        List<AsyncCommand<String, byte[], Long>> acks = new ArrayList<>(idsByKey.size());
        idsByKey.forEach((key, ids) -> {
            if (!ids.isEmpty()) {
                CommandArgs<String, byte[]> args = new CommandArgs<>(LettuceConnection.CODEC).addKey(key).add(group);
                for (String id : ids) {
                    args.add(id);
                }
                acks.add(new AsyncCommand<>(new Command<>(CommandType.XACK, new IntegerOutput<>(LettuceConnection.CODEC),
                        args)));
            }
        });
        if (!acks.isEmpty()) {
            connection.dispatch(acks);
            connection.replies().awaitAll("XACK", acks, connection.timeout());
        }
    }

    long pendingCount(String key, String group) {
        connection.ensureOpen();
        return connection.await("XPENDING", connection.commands().xpending(key, group)).getCount();
    }

    Optional<GroupInfo> groupInfo(String key, String group) {
        connection.ensureOpen();
        // Status reads are rare: plain EVAL, not worth caching the script by its SHA-1.
        List<Object> reply = connection.await("group info", connection.commands().<List<Object>>eval(
                GroupInfoScript.SOURCE, ScriptOutputType.MULTI, new String[] {key},
                group.getBytes(StandardCharsets.UTF_8)));
        return GroupInfoScript.parse(reply);
    }
}
