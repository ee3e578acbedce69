// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Commit;
import io.runnel.api.transport.StateValue;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.StreamEntry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The commit of a partition's completed deliveries ({@code Transport.commitFenced}) and the
 * reads of keyed state ({@code Transport.hashValues}) as Lua scripts, the same for every Redis
 * client. A commit names keys of one partition's slot only, so it is one script run wherever
 * the partition lives.
 */
public final class CommitCommands {

    /**
     * KEYS: lock, marker, stream, then the other keys the commit writes. ARGV: token, marker,
     * group, the number of ids and the ids, the number of appends and per append the index of
     * its key in KEYS, MAXLEN (0: none), the number of fields and the fields; the number of
     * state writes and per write the index of its key, the field, {@code s} and the value or
     * {@code d}; the number of expiries and per expiry the index of its sorted set, the field
     * and the time (0: remove); the number of sweeps and per sweep the indexes of the hash and
     * of its sorted set, the time and the limit. Answers 0 when the fence did not hold, 2 when
     * the marker was there already, 1 when it committed.
     *
     * <p>Flagged (a shebang with no {@code allow-oom}) so that a server at maxmemory refuses it
     * before it runs, rather than at its first append with some of it done. Every key's type is
     * checked (once per key) before the first write for the same reason: Redis does not undo a
     * script's writes when a later command in it fails.
     */
    static final LuaScript COMMIT = new LuaScript("#!lua\n" + """
            if redis.call('get', KEYS[1]) ~= ARGV[1] then
              return 0
            end
            if redis.call('get', KEYS[2]) == ARGV[2] then
              return 2
            end
            local group, n = ARGV[3], tonumber(ARGV[4])
            local ids_from = 5
            local a = ids_from + n
            local appends_at = a
            local checked = {}
            local function check(k, wanted)
              if not checked[k] then
                local t = redis.call('type', KEYS[k])['ok']
                if t ~= wanted and t ~= 'none' then
                  return 'WRONGTYPE ' .. KEYS[k] .. ' holds a ' .. t .. ', not a ' .. wanted
                end
                checked[k] = true
              end
            end
            local na = tonumber(ARGV[a])
            a = a + 1
            for i = 1, na do
              local wrong = check(tonumber(ARGV[a]), 'stream')
              if wrong then return redis.error_reply(wrong) end
              a = a + 3 + 2 * tonumber(ARGV[a + 2])
            end
            local nw = tonumber(ARGV[a])
            a = a + 1
            for i = 1, nw do
              local wrong = check(tonumber(ARGV[a]), 'hash')
              if wrong then return redis.error_reply(wrong) end
              if ARGV[a + 2] == 's' then a = a + 4 else a = a + 3 end
            end
            local expiries_at = a
            local ne = tonumber(ARGV[a])
            a = a + 1
            for i = 1, ne do
              local wrong = check(tonumber(ARGV[a]), 'zset')
              if wrong then return redis.error_reply(wrong) end
              a = a + 3
            end
            local sweeps_at = a
            local ns = tonumber(ARGV[a])
            a = a + 1
            for i = 1, ns do
              local wrong = check(tonumber(ARGV[a]), 'hash') or check(tonumber(ARGV[a + 1]), 'zset')
              if wrong then return redis.error_reply(wrong) end
              a = a + 4
            end
            a = appends_at + 1
            for i = 1, na do
              local key, maxlen, nf = KEYS[tonumber(ARGV[a])], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
              local first, last = a + 3, a + 2 + 2 * nf
              if maxlen > 0 then
                redis.call('xadd', key, 'MAXLEN', '~', maxlen, '*', unpack(ARGV, first, last))
              else
                redis.call('xadd', key, '*', unpack(ARGV, first, last))
              end
              a = last + 1
            end
            a = a + 1
            for i = 1, nw do
              local key, field = KEYS[tonumber(ARGV[a])], ARGV[a + 1]
              if ARGV[a + 2] == 's' then
                redis.call('hset', key, field, ARGV[a + 3])
                a = a + 4
              else
                redis.call('hdel', key, field)
                a = a + 3
              end
            end
            a = expiries_at + 1
            for i = 1, ne do
              local key, field, at = KEYS[tonumber(ARGV[a])], ARGV[a + 1], ARGV[a + 2]
              if at == '0' then
                redis.call('zrem', key, field)
              else
                redis.call('zadd', key, at, field)
              end
              a = a + 3
            end
            a = sweeps_at + 1
            for i = 1, ns do
              local hash, expiries = KEYS[tonumber(ARGV[a])], KEYS[tonumber(ARGV[a + 1])]
              local due = redis.call('zrangebyscore', expiries, '-inf', ARGV[a + 2], 'LIMIT', 0, tonumber(ARGV[a + 3]))
              if #due > 0 then
                redis.call('hdel', hash, unpack(due))
                redis.call('zrem', expiries, unpack(due))
              end
              a = a + 4
            end
            for from = ids_from, ids_from + n - 1, 1000 do
              redis.call('xack', KEYS[3], group, unpack(ARGV, from, math.min(ids_from + n - 1, from + 999)))
            end
            redis.call('set', KEYS[2], ARGV[2])
            return 1
            """, false);

    /**
     * KEYS: marks, target. ARGV: source, MAXLEN (0: none), then per entry its id, the number of
     * fields and the fields. Answers how many were appended. Flagged like {@link #COMMIT}: at
     * maxmemory refused before it runs.
     */
    static final LuaScript FORWARD_ONCE = new LuaScript("#!lua\n" + StreamLua.FUNCTIONS + """
            local last = redis.call('hget', KEYS[1], ARGV[1])
            local maxlen = tonumber(ARGV[2])
            local appended, a = 0, 3
            while a <= #ARGV do
              local id, n = ARGV[a], tonumber(ARGV[a + 1])
              local first, upto = a + 2, a + 1 + 2 * n
              a = upto + 1
              if not last or cmp(id, last) > 0 then
                if maxlen > 0 then
                  redis.call('xadd', KEYS[2], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, first, upto))
                else
                  redis.call('xadd', KEYS[2], '*', unpack(ARGV, first, upto))
                end
                last = id
                appended = appended + 1
              end
            end
            if appended > 0 then
              redis.call('hset', KEYS[1], ARGV[1], last)
            end
            return appended
            """, false);

    /**
     * KEYS: hash, its expiries' sorted set. ARGV: the time, then fields. Answers per field its
     * value (nil when missing, or expired at the time or before) and its expiry (0: none).
     */
    static final LuaScript STATE_VALUES = new LuaScript("""
            local now = tonumber(ARGV[1])
            local values = redis.call('hmget', KEYS[1], unpack(ARGV, 2))
            local out = {}
            for i = 2, #ARGV do
              local value = values[i - 1]
              local at = redis.call('zscore', KEYS[2], ARGV[i])
              if value and at and tonumber(at) <= now then
                value = false
              end
              out[#out + 1] = value
              out[#out + 1] = at or '0'
            end
            return out
            """, true);

    /** KEYS: hash. ARGV: fields. Answers their values, nil for the missing ones. */
    static final LuaScript HASH_VALUES = new LuaScript("""
            return redis.call('hmget', KEYS[1], unpack(ARGV))
            """, true);

    /** KEYS: the hash. ARGV: the cursor and the page size. One page of HSCAN. */
    static final LuaScript HASH_SCAN = new LuaScript("""
            return redis.call('hscan', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
            """, true);

    /** Fields HSCAN is asked for per page. */
    private static final String SCAN_PAGE = "1000";

    private final LuaScript.Runner runner;
    private final Function<Throwable, ? extends RuntimeException> failure;

    /**
     * The commit commands over one client.
     *
     * @param runner  sends script runs on the client's connection
     * @param failure turns an error reply into the exception to throw
     */
    public CommitCommands(LuaScript.Runner runner, Function<Throwable, ? extends RuntimeException> failure) {
        this.runner = runner;
        this.failure = failure;
    }

    /**
     * {@code Transport.commitFenced}.
     *
     * @param fence  the partition's lock and token
     * @param group  the group to acknowledge in
     * @param commit what to write
     * @return false when the fence did not hold
     */
    public boolean commit(Fence fence, String group, Commit commit) {
        List<String> keys = new ArrayList<>();
        keys.add(fence.lockKey());
        keys.add(commit.markerKey());
        keys.add(commit.streamKey());
        List<byte[]> args = new ArrayList<>();
        args.add(utf8(fence.token()));
        args.add(utf8(commit.marker()));
        args.add(utf8(group));
        args.add(utf8(Integer.toString(commit.ids().size())));
        commit.ids().forEach(id -> args.add(utf8(id)));
        args.add(utf8(Integer.toString(commit.appends().size())));
        for (Append a : commit.appends()) {
            if (a.id() != null) {
                throw new IllegalArgumentException("a commit appends with server-assigned ids only, not " + a.id());
            }
            args.add(utf8(Integer.toString(indexOf(keys, a.key()))));
            args.add(utf8(Long.toString(a.maxLen())));
            args.add(utf8(Integer.toString(a.fields().size())));
            a.fields().forEach((field, value) -> {
                args.add(utf8(field));
                args.add(value);
            });
        }
        List<byte[]> rest = new ArrayList<>();
        rest.add(utf8(Integer.toString(commit.expiries().size())));
        for (Commit.Expiry e : commit.expiries()) {
            rest.add(utf8(Integer.toString(indexOf(keys, e.key()))));
            rest.add(utf8(e.field()));
            rest.add(utf8(Long.toString(e.expiresAt())));
        }
        rest.add(utf8(Integer.toString(commit.sweeps().size())));
        for (Commit.Sweep s : commit.sweeps()) {
            rest.add(utf8(Integer.toString(indexOf(keys, s.key()))));
            rest.add(utf8(Integer.toString(indexOf(keys, s.expiryKey()))));
            rest.add(utf8(Long.toString(s.nowMillis())));
            rest.add(utf8(Integer.toString(s.limit())));
        }
        args.add(utf8(Integer.toString(commit.writes().size())));
        for (Commit.StateWrite w : commit.writes()) {
            args.add(utf8(Integer.toString(indexOf(keys, w.key()))));
            args.add(utf8(w.field()));
            if (w.value() != null) {
                args.add(utf8("s"));
                args.add(w.value());
            } else {
                args.add(utf8("d"));
            }
        }
        args.addAll(rest);
        long reply = (Long) COMMIT.runAll(List.of(new LuaScript.Run(keys, args)), runner, failure).get(0);
        return reply != 0;
    }

    /**
     * {@code Transport.forwardOnce}.
     *
     * @param marks   the hash of last forwarded ids
     * @param source  the source's name in it
     * @param target  the target stream
     * @param maxLen  MAXLEN for the appends, 0 for none
     * @param entries the entries, in id order
     * @return how many were appended
     */
    public long forwardOnce(String marks, String source, String target, long maxLen, List<StreamEntry> entries) {
        if (entries.isEmpty()) {
            return 0;
        }
        List<byte[]> args = new ArrayList<>();
        args.add(utf8(source));
        args.add(utf8(Long.toString(maxLen)));
        for (StreamEntry e : entries) {
            args.add(utf8(e.id()));
            args.add(utf8(Integer.toString(e.fields().size())));
            e.fields().forEach((field, value) -> {
                args.add(utf8(field));
                args.add(value);
            });
        }
        return (Long) FORWARD_ONCE.runAll(List.of(new LuaScript.Run(List.of(marks, target), args)), runner, failure)
                .get(0);
    }

    /**
     * {@code Transport.hashValues}.
     *
     * @param key    the hash
     * @param fields the fields
     * @return per field its value, or empty
     */
    public List<Optional<byte[]>> hashValues(String key, List<String> fields) {
        if (fields.isEmpty()) {
            return List.of();
        }
        List<byte[]> args = fields.stream().map(CommitCommands::utf8).toList();
        List<?> reply = (List<?>) HASH_VALUES.runAll(List.of(new LuaScript.Run(List.of(key), args)), runner, failure)
                .get(0);
        List<Optional<byte[]>> values = new ArrayList<>(reply.size());
        for (Object value : reply) {
            values.add(value == null ? Optional.empty() : Optional.of(bytes(value)));
        }
        return values;
    }

    /**
     * {@code Transport.stateValues}.
     *
     * @param key       the hash
     * @param expiryKey its expiries' sorted set
     * @param fields    the fields
     * @param nowMillis the time expiries are compared with
     * @return per field its value and expiry, or empty
     */
    public List<Optional<StateValue>> stateValues(String key, String expiryKey, List<String> fields, long nowMillis) {
        if (fields.isEmpty()) {
            return List.of();
        }
        List<byte[]> args = new ArrayList<>(fields.size() + 1);
        args.add(utf8(Long.toString(nowMillis)));
        fields.forEach(f -> args.add(utf8(f)));
        List<?> reply = (List<?>) STATE_VALUES.runAll(List.of(new LuaScript.Run(List.of(key, expiryKey), args)), runner,
                failure).get(0);
        List<Optional<StateValue>> values = new ArrayList<>(fields.size());
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            Object value = reply.get(i);
            values.add(value == null ? Optional.empty()
                    : Optional.of(new StateValue(bytes(value), Long.parseLong(text(reply.get(i + 1))))));
        }
        return values;
    }

    /**
     * {@code Transport.hashEntries}: HSCAN, a page per script run.
     *
     * @param key the hash
     * @return its fields and values
     */
    public Map<String, byte[]> hashEntries(String key) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        String cursor = "0";
        do {
            List<?> reply = (List<?>) HASH_SCAN.runAll(List.of(new LuaScript.Run(List.of(key),
                    List.of(utf8(cursor), utf8(SCAN_PAGE)))), runner, failure).get(0);
            cursor = text(reply.get(0));
            List<?> page = (List<?>) reply.get(1);
            for (int i = 0; i + 1 < page.size(); i += 2) {
                entries.put(text(page.get(i)), bytes(page.get(i + 1)));
            }
        } while (!cursor.equals("0"));
        return entries;
    }

    private static String text(Object reply) {
        return reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(reply);
    }

    private static byte[] bytes(Object reply) {
        return reply instanceof byte[] b ? b : String.valueOf(reply).getBytes(StandardCharsets.UTF_8);
    }

    /** The 1-based index of {@code key} in KEYS, added at the end when it is not there yet. */
    private static int indexOf(List<String> keys, String key) {
        int i = keys.indexOf(key);
        if (i < 0) {
            keys.add(key);
            return keys.size();
        }
        return i + 1;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
