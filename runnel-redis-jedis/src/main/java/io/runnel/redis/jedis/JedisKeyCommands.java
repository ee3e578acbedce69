// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.redis.common.RedisReplies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol.Command;

/**
 * {@link JedisTransport}'s plain key commands: reads of strings and hashes, time to live,
 * deletion. The key writes are Lua scripts, in {@link io.runnel.redis.common.ScriptedTransport}.
 */
final class JedisKeyCommands {
    private final JedisConnection connection;

    JedisKeyCommands(JedisConnection connection) {
        this.connection = connection;
    }

    Optional<String> get(String key) {
        connection.ensureOpen();
        return Optional.ofNullable(Replies.text(connection.call("GET", Commands.get(key))));
    }

    List<Optional<String>> getAll(List<String> keys) {
        connection.ensureOpen();
        if (keys.isEmpty()) {
            return List.of();
        }
        List<Object> values = connection.cluster() != null
                ? SlotSplits.mget(keys, SlotSplits.bySlot(keys), connection::callAll)
                : Replies.array(connection.call("MGET", Commands.mget(keys)));
        List<Optional<String>> result = new ArrayList<>(values.size());
        for (Object value : values) {
            result.add(Optional.ofNullable(Replies.text(value)));
        }
        return result;
    }

    Optional<Duration> timeToLive(String key) {
        connection.ensureOpen();
        return RedisReplies.timeToLive(Replies.integer(connection.call("PTTL", Commands.pttl(key))));
    }

    void delete(List<String> keys) {
        connection.ensureOpen();
        if (keys.isEmpty()) {
            return;
        }
        if (connection.cluster() != null) {
            SlotSplits.del(keys, SlotSplits.bySlot(keys), connection::callAll);
            return;
        }
        connection.call("DEL", Commands.del(keys));
    }

    Map<String, String> getHash(String key) {
        connection.ensureOpen();
        List<Object> flat = Replies.array(connection.call("HGETALL",
                new CommandArguments(Command.HGETALL).key(Commands.utf8(key))));
        Map<String, String> hash = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            hash.put(Replies.text(flat.get(i)), Replies.text(flat.get(i + 1)));
        }
        return hash;
    }
}
