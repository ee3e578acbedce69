// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.KeyValue;
import io.runnel.redis.common.RedisReplies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link LettuceTransport}'s plain key commands: reads of strings and hashes, time to live,
 * deletion. The key writes are Lua scripts, in {@link io.runnel.redis.common.ScriptedTransport}.
 */
final class LettuceKeyCommands {
    private final LettuceConnection connection;

    LettuceKeyCommands(LettuceConnection connection) {
        this.connection = connection;
    }

    Optional<String> get(String key) {
        connection.ensureOpen();
        return Optional.ofNullable(connection.await("GET", connection.commands().get(key))).map(LettuceKeyCommands::text);
    }

    List<Optional<String>> getAll(List<String> keys) {
        connection.ensureOpen();
        if (keys.isEmpty()) {
            return List.of();
        }
        List<KeyValue<String, byte[]>> values = connection.await("MGET",
                connection.commands().mget(keys.toArray(String[]::new)));
        List<Optional<String>> result = new ArrayList<>(values.size());
        for (KeyValue<String, byte[]> value : values) {
            result.add(value.hasValue() ? Optional.of(text(value.getValue())) : Optional.empty());
        }
        return result;
    }

    Optional<Duration> timeToLive(String key) {
        connection.ensureOpen();
        return RedisReplies.timeToLive(connection.await("PTTL", connection.commands().pttl(key)));
    }

    void delete(List<String> keys) {
        connection.ensureOpen();
        if (!keys.isEmpty()) {
            connection.await("DEL", connection.commands().del(keys.toArray(String[]::new)));
        }
    }

    Map<String, String> getHash(String key) {
        connection.ensureOpen();
        Map<String, byte[]> raw = connection.await("HGETALL", connection.commands().hgetall(key));
        Map<String, String> hash = new LinkedHashMap<>();
        raw.forEach((field, value) -> hash.put(field, new String(value, StandardCharsets.UTF_8)));
        return hash;
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
