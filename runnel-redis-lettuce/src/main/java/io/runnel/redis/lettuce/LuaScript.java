package io.runnel.redis.lettuce;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run once per key, so each key's check-and-act is atomic on the server.
 * Runs are pipelined by EVALSHA; keys whose run finds the script missing from the server's
 * cache (after a restart or SCRIPT FLUSH) are retried with EVAL, which also loads it.
 */
final class LuaScript {

    /** Extends a lock's time to live only while it holds the expected owner. */
    static final LuaScript EXTEND_IF_OWNER = new LuaScript("""
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('pexpire', KEYS[1], ARGV[2])
            end
            return 0
            """);

    /** Deletes a lock only while it holds the expected owner. */
    static final LuaScript DELETE_IF_OWNER = new LuaScript("""
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('del', KEYS[1])
            end
            return 0
            """);

    /**
     * Whether a stream has a consumer group. XINFO GROUPS fails on a missing key, and
     * Lua sees its reply in RESP2 form whatever protocol the client speaks, so the group's
     * name is always the second element of its flat entry.
     */
    static final LuaScript GROUP_EXISTS = new LuaScript("""
            if redis.call('type', KEYS[1]).ok ~= 'stream' then
              return 0
            end
            for _, group in ipairs(redis.call('xinfo', 'groups', KEYS[1])) do
              if group[2] == ARGV[1] then
                return 1
              end
            end
            return 0
            """);

    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    /**
     * Runs the script on each key with the same arguments, in one round trip (two when the
     * script had to be loaded).
     *
     * @return the script's integer result per key, in key order
     */
    List<Long> runPerKey(RedisAsyncCommands<String, byte[]> commands, Replies replies, String operation,
                         List<String> keys, Duration timeout, byte[]... args) {
        List<RedisFuture<Long>> runs = new ArrayList<>(keys.size());
        for (String key : keys) {
            runs.add(commands.evalsha(sha, ScriptOutputType.INTEGER, new String[] {key}, args));
        }
        List<Replies.Settled<Long>> settled = replies.settleAll(operation, runs, timeout);

        List<Integer> unloaded = new ArrayList<>();
        List<RedisFuture<Long>> retries = new ArrayList<>();
        for (int i = 0; i < settled.size(); i++) {
            if (settled.get(i).error() instanceof RedisNoScriptException) {
                unloaded.add(i);
                retries.add(commands.eval(source, ScriptOutputType.INTEGER, new String[] {keys.get(i)}, args));
            }
        }
        List<Long> retried = replies.awaitAll(operation, retries, timeout);

        List<Long> results = new ArrayList<>(keys.size());
        for (int i = 0; i < settled.size(); i++) {
            int retry = unloaded.indexOf(i);
            if (retry >= 0) {
                results.add(retried.get(retry));
            } else if (settled.get(i).failed()) {
                throw replies.failure(operation, settled.get(i).error());
            } else {
                results.add(settled.get(i).value());
            }
        }
        return results;
    }

    private static String sha1(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
