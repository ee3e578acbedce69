package io.runnel.redis.jedis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * A Lua script run once per key, so each key's check-and-act is atomic on the server.
 * Runs are pipelined by EVALSHA; keys whose run finds the script missing from the server's
 * cache (after a restart or SCRIPT FLUSH) are retried with EVAL, which also loads it.
 * The scripts are the Lettuce transport's, so both behave the same.
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

    /** Sends commands in one round trip; error replies come back in place as {@link JedisDataException}. */
    @FunctionalInterface
    interface Pipeline {
        List<Object> send(String operation, List<CommandArguments> commands);
    }

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
    List<Long> runPerKey(Pipeline pipeline, Failures failures, String operation, List<String> keys,
                         byte[]... args) {
        List<CommandArguments> runs = new ArrayList<>(keys.size());
        for (String key : keys) {
            runs.add(Commands.script(Command.EVALSHA, sha, key, args));
        }
        List<Object> replies = new ArrayList<>(pipeline.send(operation, runs));

        List<Integer> unloaded = new ArrayList<>();
        List<CommandArguments> retries = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i) instanceof JedisNoScriptException) {
                unloaded.add(i);
                retries.add(Commands.script(Command.EVAL, source, keys.get(i), args));
            }
        }
        List<Object> retried = retries.isEmpty() ? List.of() : pipeline.send(operation, retries);
        for (int retry = 0; retry < unloaded.size(); retry++) {
            replies.set(unloaded.get(retry), retried.get(retry));
        }

        List<Long> results = new ArrayList<>(keys.size());
        for (Object reply : replies) {
            if (reply instanceof JedisDataException error) {
                throw failures.translate(operation, error);
            }
            results.add(Replies.integer(reply));
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
