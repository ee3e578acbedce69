package io.runnel.redis.common;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.TransportArgs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * The fenced commands of the {@code Transport} contract as Lua scripts, the same for every
 * Redis client: each checks that the lock still holds the caller's token and acts in the
 * same script, so no command of a former owner can take effect once the lock has expired
 * or changed hands, however late it reaches the server. A transport supplies the
 * {@link LuaScript.Runner} that sends the scripts.
 *
 * <p>Reads stay plain XREADGROUPs (scripts would copy every entry through Lua, which
 * cost twice the server's time per event); only a small check of the lock and the pending
 * summary follows each read, and the claim of other consumers' entries runs when that
 * check finds some.
 *
 * <p>Lua sees replies in their RESP2 form whatever protocol the client speaks: an XCLAIM
 * reply is {@code [[id, [field, value, ...]], ...]}, and XPENDING's summary has its
 * consumers as {@code [[name, count], ...]} in fourth place, {@code false} when none.
 */
public final class FencedCommands {

    /**
     * Run right after a read, on its connection. KEYS: a lock and a stream per read. ARGV:
     * group, token. Answers per stream 0 when the lock no longer holds the token, 2 when it
     * does and another consumer of the group holds pending entries, else 1. Reads nothing
     * but the pending summary, so it costs the same whatever the read returned.
     */
    static final LuaScript CHECK = new LuaScript("""
            local result = {}
            for i = 1, #KEYS / 2 do
              if redis.call('get', KEYS[2 * i - 1]) ~= ARGV[2] then
                result[i] = 0
              else
                result[i] = 1
                local consumers = redis.call('xpending', KEYS[2 * i], ARGV[1])[4]
                if consumers then
                  for _, c in ipairs(consumers) do
                    if c[1] ~= ARGV[2] then
                      result[i] = 2
                      break
                    end
                  end
                end
              end
            end
            return result
            """, true);

    /**
     * KEYS: lock, stream. ARGV: group, token. While the lock holds the token, claims every
     * entry pending under another consumer for the token (XCLAIM; entries deleted from the
     * stream leave the pending list) and removes consumers left with nothing pending.
     * Answers {@code [0]} when the fence did not hold, else {@code [1, claimed entries]}.
     */
    static final LuaScript CLAIM = new LuaScript("""
            if redis.call('get', KEYS[1]) ~= ARGV[2] then
              return {0}
            end
            local claimed = {}
            local consumers = redis.call('xpending', KEYS[2], ARGV[1])[4]
            for _, c in ipairs(consumers or {}) do
              local name = c[1]
              if name ~= ARGV[2] then
                while true do
                  local pending = redis.call('xpending', KEYS[2], ARGV[1], '-', '+', 1000, name)
                  if #pending == 0 then
                    break
                  end
                  local args = {KEYS[2], ARGV[1], ARGV[2], 0}
                  for _, p in ipairs(pending) do
                    args[#args + 1] = p[1]
                  end
                  for _, e in ipairs(redis.call('xclaim', unpack(args))) do
                    claimed[#claimed + 1] = e
                  end
                end
                redis.call('xgroup', 'delconsumer', KEYS[2], ARGV[1], name)
              end
            end
            return {1, claimed}
            """, true);

    /**
     * KEYS: lock, stream. ARGV: group, token, the consumer to hand over to. While the lock
     * holds the token, moves the token's pending entries to that consumer (XCLAIM JUSTID)
     * and removes the token's consumer. Answers 0 when the fence did not hold, else 1.
     */
    static final LuaScript HAND_OVER = new LuaScript("""
            if redis.call('get', KEYS[1]) ~= ARGV[2] then
              return 0
            end
            while true do
              local pending = redis.call('xpending', KEYS[2], ARGV[1], '-', '+', 1000, ARGV[2])
              if #pending == 0 then
                break
              end
              local args = {KEYS[2], ARGV[1], ARGV[3], 0}
              for _, p in ipairs(pending) do
                args[#args + 1] = p[1]
              end
              args[#args + 1] = 'JUSTID'
              redis.call('xclaim', unpack(args))
            end
            redis.call('xgroup', 'delconsumer', KEYS[2], ARGV[1], ARGV[2])
            return 1
            """, false);

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
     * when the fence did not hold, else {@code [1, ids...]}. An empty token checks nothing
     * (KEYS[1] is then any key of the streams' slot): the appends of a fenced append whose
     * streams lie in other hash slots than its lock, on a cluster.
     */
    static final LuaScript APPEND = new LuaScript("""
            if ARGV[1] ~= '' and redis.call('get', KEYS[1]) ~= ARGV[1] then
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

    /** KEYS: lock, key. ARGV: token, value. Answers 0 when the fence did not hold; an empty token checks nothing. */
    static final LuaScript SET = new LuaScript("""
            if ARGV[1] ~= '' and redis.call('get', KEYS[1]) ~= ARGV[1] then
              return 0
            end
            redis.call('set', KEYS[2], ARGV[2])
            return 1
            """, false);

    /** KEYS: lock. ARGV: token. Answers 1 while the lock holds the token, else 0. */
    static final LuaScript HOLDS = new LuaScript("""
            if redis.call('get', KEYS[1]) == ARGV[1] then
              return 1
            end
            return 0
            """, false);

    private static final byte[] NO_LIMIT = utf8("0");
    private static final byte[] NO_FENCE = new byte[0];

    private final LuaScript.Runner runner;
    private final Function<Throwable, ? extends RuntimeException> failure;
    private final ToIntFunction<String> slots;

    /**
     * @param runner  sends script runs on the client's connection
     * @param failure turns an error reply into the exception to throw
     */
    public FencedCommands(LuaScript.Runner runner, Function<Throwable, ? extends RuntimeException> failure) {
        this(runner, failure, key -> 0);
    }

    /**
     * On a Redis Cluster, where one command or script run may only name keys of one hash
     * slot: a fence's lock and the stream it guards must share a slot (a hash tag), and the
     * runs that serve several streams are split by slot.
     *
     * @param slots a key's hash slot (the same for every key on a single server)
     */
    public FencedCommands(LuaScript.Runner runner, Function<Throwable, ? extends RuntimeException> failure,
                          ToIntFunction<String> slots) {
        this.runner = runner;
        this.failure = failure;
        this.slots = slots;
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

    /**
     * How a client sends a read and then, on the same connection, a script run: the read's
     * entries must be in the pending list before the run looks at it.
     */
    @FunctionalInterface
    public interface ReadThenRun {
        /**
         * @param idsByKey where to read each stream from, in order
         * @param block    BLOCK for the read, or null for none
         * @param sha      the script's SHA-1, for EVALSHA
         * @return the read's entries by stream key, and the run's reply or the exception
         *         its error reply became (a failed read throws)
         */
        ReadAndRun send(String group, String consumer, Map<String, String> idsByKey, int count, Duration block,
                        String sha, LuaScript.Run run);
    }

    /** What {@link ReadThenRun} got back. */
    public record ReadAndRun(Map<String, List<StreamEntry>> entries, Object runReply) {
    }

    /** {@code Transport.readGroupFenced}: the read and a check in one round trip, and a claim where one is needed. */
    public List<FencedRead.Result> read(String group, List<FencedRead> reads, int count, Duration block,
                                        ReadThenRun sender) {
        if (reads.isEmpty()) {
            return List.of();
        }
        Map<Integer, List<Integer>> bySlot = bySlot(reads.size(), i -> reads.get(i).key());
        if (bySlot.size() == 1) {
            return readOneSlot(group, reads, count, block, sender);
        }
        if (TransportArgs.isBlocking(block)) {
            throw SlotGroups.blockingAcrossSlots(bySlot.keySet());
        }
        FencedRead.Result[] results = new FencedRead.Result[reads.size()];
        for (List<Integer> indexes : bySlot.values()) {
            List<FencedRead.Result> some = readOneSlot(group, indexes.stream().map(reads::get).toList(), count, null, sender);
            for (int j = 0; j < indexes.size(); j++) {
                results[indexes.get(j)] = some.get(j);
            }
        }
        return List.of(results);
    }

    private List<FencedRead.Result> readOneSlot(String group, List<FencedRead> reads, int count, Duration block,
                                                ReadThenRun sender) {
        String token = FencedRead.commonToken(reads);
        Map<String, String> ids = new LinkedHashMap<>();
        List<String> keys = new ArrayList<>(reads.size() * 2);
        for (FencedRead r : reads) {
            ids.put(r.key(), r.afterId());
            keys.add(r.fence().lockKey());
            keys.add(r.key());
        }
        LuaScript.Run check = new LuaScript.Run(keys, List.of(utf8(group), utf8(token)));
        ReadAndRun got = sender.send(group, token, ids, count, block, CHECK.sha(), check);
        Object reply = got.runReply();
        if (reply instanceof Throwable error) {
            if (!RedisReplies.scriptMissing(error)) {
                throw failure.apply(error);
            }
            reply = CHECK.runAll(List.of(check), runner, failure).get(0);
        }
        List<?> states = (List<?>) reply;
        List<FencedRead.Result> results = new ArrayList<>(reads.size());
        for (int i = 0; i < reads.size(); i++) {
            FencedRead r = reads.get(i);
            List<StreamEntry> entries = got.entries().getOrDefault(r.key(), List.of());
            long state = ((Number) states.get(i)).longValue();
            if (state == 0) {
                results.add(FencedRead.Result.NOT_HELD);
            } else if (state == 1) {
                results.add(new FencedRead.Result(true, entries));
            } else {
                results.add(claimed(group, r, entries));
            }
        }
        return results;
    }

    /** {@code Transport.handOverPending}. */
    public List<Boolean> handOver(String group, String to, List<FencedRead> streams) {
        List<LuaScript.Run> runs = new ArrayList<>(streams.size());
        for (FencedRead s : streams) {
            runs.add(new LuaScript.Run(List.of(s.fence().lockKey(), s.key()),
                    List.of(utf8(group), utf8(s.fence().token()), utf8(to))));
        }
        return ones(HAND_OVER.runAll(runs, runner, failure));
    }

    /** The read's entries with those claimed from other consumers, in id order; not held if the claim was refused. */
    private FencedRead.Result claimed(String group, FencedRead r, List<StreamEntry> read) {
        LuaScript.Run run = new LuaScript.Run(List.of(r.fence().lockKey(), r.key()),
                List.of(utf8(group), utf8(r.fence().token())));
        List<?> reply = (List<?>) CLAIM.runAll(List.of(run), runner, failure).get(0);
        if (((Number) reply.get(0)).longValue() == 0) {
            return FencedRead.Result.NOT_HELD;
        }
        List<StreamEntry> all = new ArrayList<>(read);
        all.addAll(entries((List<?>) reply.get(1)));
        all.sort(FencedCommands::byId);
        return new FencedRead.Result(true, all);
    }

    /** Stream ids in order: by milliseconds, then sequence. */
    static int byId(StreamEntry a, StreamEntry b) {
        String x = a.id();
        String y = b.id();
        int dx = x.indexOf('-');
        int dy = y.indexOf('-');
        int byMillis = Long.compareUnsigned(Long.parseUnsignedLong(x.substring(0, dx)), Long.parseUnsignedLong(y.substring(0, dy)));
        return byMillis != 0 ? byMillis
                : Long.compareUnsigned(Long.parseUnsignedLong(x.substring(dx + 1)), Long.parseUnsignedLong(y.substring(dy + 1)));
    }

    /** {@code Transport.ackFenced}: one script run for every stream (per hash slot on a cluster), pipelined. */
    public List<Boolean> ack(String group, List<FencedAck> acks) {
        if (acks.isEmpty()) {
            return List.of();
        }
        List<List<Integer>> groups = List.copyOf(bySlot(acks.size(), i -> acks.get(i).key()).values());
        List<LuaScript.Run> runs = new ArrayList<>(groups.size());
        for (List<Integer> indexes : groups) {
            List<String> keys = new ArrayList<>(indexes.size() * 2);
            List<byte[]> args = new ArrayList<>();
            args.add(utf8(group));
            for (int i : indexes) {
                FencedAck a = acks.get(i);
                keys.add(a.fence().lockKey());
                keys.add(a.key());
                args.add(utf8(a.fence().token()));
                args.add(utf8(Integer.toString(a.ids().size())));
                for (String id : a.ids()) {
                    args.add(utf8(id));
                }
            }
            runs.add(new LuaScript.Run(keys, args));
        }
        List<Object> replies = ACK.runAll(runs, runner, failure);
        Boolean[] held = new Boolean[acks.size()];
        for (int g = 0; g < groups.size(); g++) {
            List<?> reply = (List<?>) replies.get(g);
            for (int j = 0; j < reply.size(); j++) {
                held[groups.get(g).get(j)] = ((Number) reply.get(j)).longValue() == 1L;
            }
        }
        return List.of(held);
    }

    /**
     * {@code Transport.appendFenced}: all appends in one script run. On a cluster, appends to
     * streams outside the lock's hash slot cannot be in the lock's script run: the fence is
     * checked first, then the appends are made per slot, so a holder that loses its lock in
     * between may still append (at least once, as every append).
     */
    public Optional<List<String>> append(Fence fence, List<Append> appends) {
        int lockSlot = slots.applyAsInt(fence.lockKey());
        Map<Integer, List<Integer>> bySlot = bySlot(appends.size(), i -> appends.get(i).key());
        if (bySlot.size() == 1 && bySlot.containsKey(lockSlot)) {
            return appendRun(fence.lockKey(), utf8(fence.token()), appends);
        }
        if (!holds(fence)) {
            return Optional.empty();
        }
        String[] ids = new String[appends.size()];
        for (List<Integer> indexes : bySlot.values()) {
            List<Append> some = indexes.stream().map(appends::get).toList();
            List<String> got = appendRun(some.get(0).key(), NO_FENCE, some).orElseThrow();
            for (int j = 0; j < indexes.size(); j++) {
                ids[indexes.get(j)] = got.get(j);
            }
        }
        return Optional.of(List.of(ids));
    }

    private Optional<List<String>> appendRun(String firstKey, byte[] token, List<Append> appends) {
        List<String> keys = new ArrayList<>(1 + appends.size());
        List<byte[]> args = new ArrayList<>();
        keys.add(firstKey);
        args.add(token);
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
            ids.add(RedisReplies.text(id));
        }
        return Optional.of(List.copyOf(ids));
    }

    /** {@code Transport.setFenced}; on a cluster, checked first and then set when the key is outside the lock's slot. */
    public boolean set(Fence fence, String key, String value) {
        LuaScript.Run run;
        if (slots.applyAsInt(fence.lockKey()) == slots.applyAsInt(key)) {
            run = new LuaScript.Run(List.of(fence.lockKey(), key), List.of(utf8(fence.token()), utf8(value)));
        } else if (holds(fence)) {
            run = new LuaScript.Run(List.of(key, key), List.of(NO_FENCE, utf8(value)));
        } else {
            return false;
        }
        return (Long) SET.runAll(List.of(run), runner, failure).get(0) == 1L;
    }

    private boolean holds(Fence fence) {
        LuaScript.Run run = new LuaScript.Run(List.of(fence.lockKey()), List.of(utf8(fence.token())));
        return (Long) HOLDS.runAll(List.of(run), runner, failure).get(0) == 1L;
    }

    private Map<Integer, List<Integer>> bySlot(int n, IntFunction<String> key) {
        return SlotGroups.positionsBySlot(n, key, slots);
    }

    private static List<StreamEntry> entries(List<?> raw) {
        List<StreamEntry> entries = new ArrayList<>(raw.size());
        for (Object e : raw) {
            List<?> entry = (List<?>) e;
            entries.add(new StreamEntry(RedisReplies.text(entry.get(0)), fields(entry.size() > 1 ? entry.get(1) : null)));
        }
        return entries;
    }

    /** A trimmed pending entry has nil fields (or, in some clients' eyes, none). */
    private static Map<String, byte[]> fields(Object raw) {
        if (!(raw instanceof List<?> flat) || flat.isEmpty()) {
            return Map.of();
        }
        Map<String, byte[]> fields = new LinkedHashMap<>(flat.size());
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            fields.put(RedisReplies.text(flat.get(i)), bytes(flat.get(i + 1)));
        }
        return Collections.unmodifiableMap(fields);
    }

    private static List<Boolean> ones(List<Object> replies) {
        return LuaScript.integers(replies).stream().map(n -> n == 1L).toList();
    }

    private static byte[] bytes(Object value) {
        return value instanceof byte[] b ? b : utf8(String.valueOf(value));
    }


    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
