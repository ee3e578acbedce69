// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

/**
 * A Lua script, so a check-and-act is atomic on the server. Runs are pipelined by EVALSHA;
 * runs that find the script missing from the server's cache (after a restart or SCRIPT
 * FLUSH) are retried with EVAL, which also loads it. The client-specific part, sending the
 * commands, is a {@link Runner}.
 */
public final class LuaScript {

    /**
     * The first line of a script Redis runs even at {@code maxmemory} (Redis 7.0): it lets all
     * the script's writes through. For the coordination keys (locks, epochs, heartbeats,
     * membership, leadership, a few hundred bytes per processor): refusing them would turn a
     * full memory into a standstill, since partitions nobody owns are neither processed nor
     * trimmed, and trimming is what frees memory.
     *
     * <p>Scripts without flags need none of it when their writes are ones Redis never refuses
     * for memory (PEXPIRE, DEL, XACK, XCLAIM, XTRIM): Redis checks a flagless script only at its
     * first write that can grow memory (SET, INCR, HSET, XADD).
     */
    static final String ALLOW_OOM = "#!lua flags=allow-oom\n";

    /** Sets a string value. ARGV: value, time to live in ms or empty for none. Answers 1. */
    public static final LuaScript SET = new LuaScript(ALLOW_OOM + """
            if ARGV[2] == '' then
              redis.call('set', KEYS[1], ARGV[1])
            else
              redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
            end
            return 1
            """, false);

    /** Sets a string value where the key does not exist. ARGV: value, ttl in ms or empty. Answers 1 if set, else 0. */
    public static final LuaScript SET_IF_ABSENT = new LuaScript(ALLOW_OOM + """
            local set
            if ARGV[2] == '' then
              set = redis.call('set', KEYS[1], ARGV[1], 'NX')
            else
              set = redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
            end
            if set then
              return 1
            end
            return 0
            """, false);

    /** Adds one to an integer key, creating it at 0 first. Answers the new value. */
    public static final LuaScript INCREMENT = new LuaScript(ALLOW_OOM + """
            return redis.call('incr', KEYS[1])
            """, false);

    /**
     * Extends a lock's time to live only while it holds the expected owner. ARGV: owner, ttl in
     * ms. Runs at maxmemory without a flag: its one write, PEXPIRE, never grows memory.
     */
    public static final LuaScript EXTEND_IF_OWNER = new LuaScript("""
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('pexpire', KEYS[1], ARGV[2])
            end
            return 0
            """, false);

    /** Deletes a lock only while it holds the expected owner. ARGV: owner. Runs at maxmemory, as DEL frees memory. */
    public static final LuaScript DELETE_IF_OWNER = new LuaScript("""
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return redis.call('del', KEYS[1])
            end
            return 0
            """, false);

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
            """, false);

    /**
     * One run of a script: its keys and arguments.
     *
     * @param keys the run's KEYS, in order
     * @param args the run's ARGV, in order
     */
    public record Run(List<String> keys, List<byte[]> args) {
        /**
         * Copies both lists.
         *
         * @throws NullPointerException if a list or a key is null
         */
        public Run {
            keys = List.copyOf(keys);
            args = List.copyOf(args);
        }
    }

    /** How a client sends runs of a script in one round trip. */
    @FunctionalInterface
    public interface Runner {
        /**
         * Sends the runs, pipelined, and waits for their replies.
         *
         * @param command     {@code EVALSHA} with the script's SHA-1, or {@code EVAL} with its source
         * @param scriptOrSha the SHA-1 or the source
         * @param array       whether the script answers an array (else an integer)
         * @param runs        the runs, in order
         * @return per run, in order, the reply ({@code Long}, {@code byte[]}, a {@code List}
         *         of those, or null) or the exception its error reply became; failing to get
         *         replies at all may throw instead
         */
        List<Object> send(String command, String scriptOrSha, boolean array, List<Run> runs);
    }

    private final String source;
    private final String sha;
    private final boolean array;

    LuaScript(String source, boolean array) {
        this.source = source;
        this.sha = sha1(source);
        this.array = array;
    }

    /**
     * Runs the script once per key with the same arguments, in one round trip (two when the
     * script had to be loaded).
     *
     * @param keys    the keys, one run each
     * @param runner  sends the runs on the client's connection
     * @param failure turns an error reply into the exception to throw
     * @param args    the arguments of every run
     * @return the script's integer result per key, in key order
     */
    public List<Long> runPerKey(List<String> keys, Runner runner,
                                Function<Throwable, ? extends RuntimeException> failure, byte[]... args) {
        List<Run> runs = new ArrayList<>(keys.size());
        for (String key : keys) {
            runs.add(new Run(List.of(key), List.of(args)));
        }
        return integers(runAll(runs, runner, failure));
    }

    /**
     * Runs the script once per run, in one round trip (two when it had to be loaded).
     *
     * @param runs    the runs, in order
     * @param runner  sends the runs on the client's connection
     * @param failure turns an error reply into the exception to throw
     * @return the script's reply per run, in order
     */
    public List<Object> runAll(List<Run> runs, Runner runner, Function<Throwable, ? extends RuntimeException> failure) {
        List<Object> replies = runAllSettled(runs, runner);
        for (Object reply : replies) {
            if (reply instanceof Throwable error) {
                throw failure.apply(error);
            }
        }
        return replies;
    }

    /**
     * Runs the script once per run, in one round trip (two when it had to be loaded), and
     * leaves each run's error reply in its place instead of throwing: for callers that can
     * use what the other runs answered (on a cluster, one node failing need not waste the
     * answers of the others).
     *
     * @param runs   the runs, in order
     * @param runner sends the runs on the client's connection
     * @return per run, in order, its reply or the exception its error reply became
     */
    public List<Object> runAllSettled(List<Run> runs, Runner runner) {
        if (runs.isEmpty()) {
            return List.of();
        }
        List<Object> replies = new ArrayList<>(runner.send("EVALSHA", sha, array, runs));
        List<Integer> unloaded = new ArrayList<>();
        for (int i = 0; i < replies.size(); i++) {
            if (replies.get(i) instanceof Throwable error && RedisReplies.scriptMissing(error)) {
                unloaded.add(i);
            }
        }
        if (!unloaded.isEmpty()) {
            List<Object> retried = runner.send("EVAL", source, array, unloaded.stream().map(runs::get).toList());
            for (int retry = 0; retry < unloaded.size(); retry++) {
                replies.set(unloaded.get(retry), retried.get(retry));
            }
        }
        return replies;
    }

    /**
     * A time to live as {@link #SET} and {@link #SET_IF_ABSENT} take it.
     *
     * @param ttlMillisOrZero milliseconds, or 0 for none
     * @return the milliseconds as text, or empty for none
     */
    public static byte[] ttlArgument(long ttlMillisOrZero) {
        return ttlMillisOrZero > 0 ? Long.toString(ttlMillisOrZero).getBytes(StandardCharsets.UTF_8) : new byte[0];
    }

    /**
     * The SHA-1 the server knows the script by (EVALSHA).
     *
     * @return the SHA-1 of the script's source, in lower-case hex
     */
    public String sha() {
        return sha;
    }

    /**
     * Integer replies as longs.
     *
     * @param replies replies that are all {@code Long}
     * @return the same values, typed
     * @throws ClassCastException if a reply is not a {@code Long}
     */
    public static List<Long> integers(List<Object> replies) {
        List<Long> results = new ArrayList<>(replies.size());
        for (Object reply : replies) {
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
