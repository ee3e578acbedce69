package io.runnel.redis.common;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.StreamEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The fenced commands of the {@code Transport} contract as Lua scripts, the same for every
 * Redis client: each checks that the lock still holds the caller's token and acts in the
 * same script, so no command of a former owner can take effect once the lock has expired
 * or changed hands, however late it reaches the server. A transport supplies the
 * {@link LuaScript.Runner} that sends the scripts.
 *
 * <p>Lua sees replies in their RESP2 form whatever protocol the client speaks: an
 * XREADGROUP reply is {@code [[key, [[id, [field, value, ...]], ...]]]}, nil when nothing
 * was new, and a pending entry trimmed from the stream has {@code false} for its fields.
 */
public final class FencedCommands {

    /**
     * KEYS: a lock and a stream per read. ARGV: group, consumer, count (0: no limit), then a
     * token and an id per read. Answers per read {@code [0]} when the fence did not hold,
     * {@code [1, entries]}, or {@code [2, newest id]} when a {@code >} read found nothing.
     */
    static final LuaScript READ = new LuaScript("""
            local result = {}
            for i = 1, #KEYS / 2 do
              local lock, stream = KEYS[2 * i - 1], KEYS[2 * i]
              local token, id = ARGV[2 + 2 * i], ARGV[3 + 2 * i]
              if redis.call('get', lock) ~= token then
                result[i] = {0}
              else
                local reply
                if tonumber(ARGV[3]) > 0 then
                  reply = redis.call('xreadgroup', 'GROUP', ARGV[1], ARGV[2], 'COUNT', ARGV[3], 'STREAMS', stream, id)
                else
                  reply = redis.call('xreadgroup', 'GROUP', ARGV[1], ARGV[2], 'STREAMS', stream, id)
                end
                local entries = reply and reply[1][2] or {}
                if #entries == 0 and id == '>' then
                  local newest = redis.call('xrevrange', stream, '+', '-', 'COUNT', 1)
                  result[i] = {2, newest[1] and newest[1][1] or '0-0'}
                else
                  result[i] = {1, entries}
                end
              end
            end
            return result
            """, true);

    /**
     * KEYS: a lock and a stream per ack. ARGV: group, then per ack its token, the number of
     * ids and the ids. Answers per ack 1 when its fence held (and the ids were acknowledged),
     * else 0. One run serves every partition of a flush: a script run per partition cost
     * more than the acks themselves. XACK takes the ids a thousand at a time, because Lua's
     * unpack has a stack limit of a few thousand values.
     */
    static final LuaScript ACK = new LuaScript("""
            local held = {}
            local a = 2
            for i = 1, #KEYS / 2 do
              local lock, stream = KEYS[2 * i - 1], KEYS[2 * i]
              local token, n = ARGV[a], tonumber(ARGV[a + 1])
              local first, last = a + 2, a + 1 + n
              if redis.call('get', lock) == token then
                held[i] = 1
                for from = first, last, 1000 do
                  redis.call('xack', stream, ARGV[1], unpack(ARGV, from, math.min(last, from + 999)))
                end
              else
                held[i] = 0
              end
              a = last + 1
            end
            return held
            """, true);

    /**
     * KEYS: lock, then a stream per append. ARGV: token, then per append its MAXLEN (0:
     * none), id ('*': the server's), number of fields and the fields. Answers {@code [0]}
     * when the fence did not hold, else {@code [1, ids...]}.
     */
    static final LuaScript APPEND = new LuaScript("""
            if redis.call('get', KEYS[1]) ~= ARGV[1] then
              return {0}
            end
            local ids = {1}
            local a = 2
            for k = 2, #KEYS do
              local maxlen, id, n = tonumber(ARGV[a]), ARGV[a + 1], tonumber(ARGV[a + 2])
              local args = {KEYS[k]}
              if maxlen > 0 then
                args[#args + 1] = 'MAXLEN'
                args[#args + 1] = '~'
                args[#args + 1] = maxlen
              end
              args[#args + 1] = id
              for j = a + 3, a + 2 + 2 * n do
                args[#args + 1] = ARGV[j]
              end
              ids[#ids + 1] = redis.call('xadd', unpack(args))
              a = a + 3 + 2 * n
            end
            return ids
            """, true);

    /** KEYS: lock, key. ARGV: token, value. Answers 0 when the fence did not hold. */
    static final LuaScript SET = new LuaScript("""
            if redis.call('get', KEYS[1]) ~= ARGV[1] then
              return 0
            end
            redis.call('set', KEYS[2], ARGV[2])
            return 1
            """, false);

    private static final byte[] NO_LIMIT = utf8("0");

    private final LuaScript.Runner runner;
    private final Function<Throwable, ? extends RuntimeException> failure;

    /**
     * @param runner  sends script runs on the client's connection
     * @param failure turns an error reply into the exception to throw
     */
    public FencedCommands(LuaScript.Runner runner, Function<Throwable, ? extends RuntimeException> failure) {
        this.runner = runner;
        this.failure = failure;
    }

    /** {@code Transport.extendFenced}. */
    public List<Boolean> extend(List<Fence> fences, long ttlMillis) {
        byte[] millis = utf8(Long.toString(ttlMillis));
        List<LuaScript.Run> runs = new ArrayList<>(fences.size());
        for (Fence f : fences) {
            runs.add(new LuaScript.Run(List.of(f.lockKey()), List.of(utf8(f.token()), millis)));
        }
        return ones(LuaScript.EXTEND_IF_OWNER.runAll(runs, runner, failure));
    }

    /** {@code Transport.releaseFenced}. */
    public List<Boolean> release(List<Fence> fences) {
        List<LuaScript.Run> runs = new ArrayList<>(fences.size());
        for (Fence f : fences) {
            runs.add(new LuaScript.Run(List.of(f.lockKey()), List.of(utf8(f.token()))));
        }
        return ones(LuaScript.DELETE_IF_OWNER.runAll(runs, runner, failure));
    }

    /** {@code Transport.readGroupFenced}: one script run for every stream. */
    public List<FencedRead.Result> read(String group, String consumer, List<FencedRead> reads, int count) {
        if (reads.isEmpty()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(reads.size() * 2);
        List<byte[]> args = new ArrayList<>(3 + reads.size() * 2);
        args.add(utf8(group));
        args.add(utf8(consumer));
        args.add(count > 0 ? utf8(Integer.toString(count)) : NO_LIMIT);
        for (FencedRead r : reads) {
            keys.add(r.fence().lockKey());
            keys.add(r.key());
            args.add(utf8(r.fence().token()));
            args.add(utf8(r.afterId()));
        }
        List<?> reply = (List<?>) READ.runAll(List.of(new LuaScript.Run(keys, args)), runner, failure).get(0);
        List<FencedRead.Result> results = new ArrayList<>(reads.size());
        for (Object one : reply) {
            results.add(readResult((List<?>) one));
        }
        return results;
    }

    /** {@code Transport.ackFenced}: one script run for every stream. */
    public List<Boolean> ack(String group, List<FencedAck> acks) {
        List<String> keys = new ArrayList<>(acks.size() * 2);
        List<byte[]> args = new ArrayList<>();
        args.add(utf8(group));
        for (FencedAck a : acks) {
            keys.add(a.fence().lockKey());
            keys.add(a.key());
            args.add(utf8(a.fence().token()));
            args.add(utf8(Integer.toString(a.ids().size())));
            for (String id : a.ids()) {
                args.add(utf8(id));
            }
        }
        if (acks.isEmpty()) {
            return List.of();
        }
        List<?> reply = (List<?>) ACK.runAll(List.of(new LuaScript.Run(keys, args)), runner, failure).get(0);
        List<Boolean> held = new ArrayList<>(reply.size());
        for (Object one : reply) {
            held.add(((Number) one).longValue() == 1L);
        }
        return held;
    }

    /** {@code Transport.appendFenced}: all appends in one script run. */
    public Optional<List<String>> append(Fence fence, List<Append> appends) {
        List<String> keys = new ArrayList<>(1 + appends.size());
        List<byte[]> args = new ArrayList<>();
        keys.add(fence.lockKey());
        args.add(utf8(fence.token()));
        for (Append a : appends) {
            keys.add(a.key());
            args.add(utf8(Long.toString(a.maxLen())));
            args.add(utf8(a.id() != null ? a.id() : "*"));
            args.add(utf8(Integer.toString(a.fields().size())));
            a.fields().forEach((field, value) -> {
                args.add(utf8(field));
                args.add(value);
            });
        }
        List<?> reply = (List<?>) APPEND.runAll(List.of(new LuaScript.Run(keys, args)), runner, failure).get(0);
        if (((Number) reply.get(0)).longValue() == 0) {
            return Optional.empty();
        }
        List<String> ids = new ArrayList<>(reply.size() - 1);
        for (Object id : reply.subList(1, reply.size())) {
            ids.add(text(id));
        }
        return Optional.of(List.copyOf(ids));
    }

    /** {@code Transport.setFenced}. */
    public boolean set(Fence fence, String key, String value) {
        LuaScript.Run run = new LuaScript.Run(List.of(fence.lockKey(), key), List.of(utf8(fence.token()), utf8(value)));
        return (Long) SET.runAll(List.of(run), runner, failure).get(0) == 1L;
    }

    private static FencedRead.Result readResult(List<?> reply) {
        long kind = ((Number) reply.get(0)).longValue();
        if (kind == 0) {
            return FencedRead.Result.NOT_HELD;
        }
        if (kind == 2) {
            return new FencedRead.Result(true, List.of(), text(reply.get(1)));
        }
        List<?> raw = (List<?>) reply.get(1);
        List<StreamEntry> entries = new ArrayList<>(raw.size());
        for (Object e : raw) {
            List<?> entry = (List<?>) e;
            entries.add(new StreamEntry(text(entry.get(0)), fields(entry.size() > 1 ? entry.get(1) : null)));
        }
        return new FencedRead.Result(true, Collections.unmodifiableList(entries), null);
    }

    /** A trimmed pending entry has nil fields (or, in some clients' eyes, none). */
    private static Map<String, byte[]> fields(Object raw) {
        if (!(raw instanceof List<?> flat) || flat.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> fields = new LinkedHashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(text(flat.get(i)), bytes(flat.get(i + 1)));
        }
        return Collections.unmodifiableMap(fields);
    }

    private static List<Boolean> ones(List<Object> replies) {
        return LuaScript.integers(replies).stream().map(n -> n == 1L).toList();
    }

    private static byte[] bytes(Object value) {
        return value instanceof byte[] b ? b : utf8(String.valueOf(value));
    }

    private static String text(Object value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
