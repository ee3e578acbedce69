package io.runnel.redis.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * A Lua script run once per key, so each key's check-and-act is atomic on the server.
 * Runs are pipelined by EVALSHA; keys whose run finds the script missing from the server's
 * cache (after a restart or SCRIPT FLUSH) are retried with EVAL, which also loads it. The
 * client-specific part, sending the commands, is a {@link Pipeline}.
 */
public final class LuaScript {

    /** Extends a lock's time to live only while it holds the expected owner. ARGV: owner, ttl in ms. */
    public static final LuaScript EXTEND_IF_OWNER = new LuaScript("""
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('pexpire', KEYS[1], ARGV[2])
            end
            return 0
            """);

    /** Deletes a lock only while it holds the expected owner. ARGV: owner. */
    public static final LuaScript DELETE_IF_OWNER = new LuaScript("""
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('del', KEYS[1])
            end
            return 0
            """);

    /**
     * Whether a stream has a consumer group. ARGV: group. XINFO GROUPS fails on a missing
     * key, and Lua sees its reply in RESP2 form whatever protocol the client speaks, so the
     * group's name is always the second element of its flat entry.
     */
    public static final LuaScript GROUP_EXISTS = new LuaScript("""
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

    /** How a client sends runs of a script, one per key with the same arguments, in one round trip. */
    @FunctionalInterface
    public interface Pipeline {
        /**
         * @param command     {@code EVALSHA} with the script's SHA-1, or {@code EVAL} with its source
         * @param scriptOrSha the SHA-1 or the source
         * @param keys        one run per key, each with {@code numkeys} 1
         * @return per key, in order, the integer reply ({@code Long}) or the exception its
         *         error reply became; failing to get replies at all may throw instead
         */
        List<Object> send(String command, String scriptOrSha, List<String> keys);
    }

    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    /**
     * Runs the script on each key, in one round trip (two when the script had to be loaded).
     *
     * @param failure turns an error reply into the exception to throw
     * @return the script's integer result per key, in key order
     */
    public List<Long> runPerKey(List<String> keys, Pipeline pipeline,
                                Function<Throwable, ? extends RuntimeException> failure) {
        List<Object> replies = new ArrayList<>(pipeline.send("EVALSHA", sha, keys));

        List<Integer> unloaded = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i) instanceof Throwable error && RedisReplies.scriptMissing(error)) {
                unloaded.add(i);
            }
        }
        if (!unloaded.isEmpty()) {
            List<Object> retried = pipeline.send("EVAL", source, unloaded.stream().map(keys::get).toList());
            for (int retry = 0; retry < unloaded.size(); retry++) {
                replies.set(unloaded.get(retry), retried.get(retry));
            }
        }

        List<Long> results = new ArrayList<>(replies.size());
        for (Object reply : replies) {
            if (reply instanceof Throwable error) {
                throw failure.apply(error);
            }
            results.add((Long) reply);
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
