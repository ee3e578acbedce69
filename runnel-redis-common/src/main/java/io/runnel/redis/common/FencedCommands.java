// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.CommandRejected;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.FencedAck;
import io.runnel.api.transport.FencedRead;
import io.runnel.api.transport.PartlyAnswered;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.TransportArgs;
import io.runnel.api.transport.TransportException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.function.IntFunction;

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
 * <p>On a Redis Cluster each partition's keys share a hash slot, and the calls over several
 * partitions (the check after a read, the acks) go as one script run per master, in the
 * cross-slot form of a {@link FencedScript}; lock extension asks each master on its own.
 *
 * <p>Lua sees replies in their RESP2 form whatever protocol the client speaks: an XCLAIM
 * reply is {@code [[id, [field, value, ...]], ...]}, and XPENDING's summary has its
 * consumers as {@code [[name, count], ...]} in fourth place, {@code false} when none.
 */
public final class FencedCommands {

    /**
     * Run right after a read, on its connection. Keys: a lock and a stream per read. Arguments:
     * group, token. Answers per stream 0 when the lock no longer holds the token, 2 when it
     * does and another consumer of the group holds pending entries, else 1. Reads nothing
     * but the pending summary, so it costs the same whatever the read returned.
     */
    static final FencedScript CHECK = FencedScript.of("""
            local result = {}
            for i = 1, #K / 2 do
              if redis.call('get', K[2 * i - 1]) ~= ARGV[o + 2] then
                result[i] = 0
              else
                result[i] = 1
                local consumers = redis.call('xpending', K[2 * i], ARGV[o + 1])[4]
                if consumers then
                  for _, c in ipairs(consumers) do
                    if c[1] ~= ARGV[o + 2] then
                      result[i] = 2
                      break
                    end
                  end
                end
              end
            end
            return result
            """, "no-writes");

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
     * Keys: a lock and a stream per ack. Arguments: group, then per ack its token, the number
     * of ids and the ids. Answers per ack 1 when its fence held (and the ids were
     * acknowledged), else 0. One run serves every partition of a flush (every partition on
     * one master, on a cluster): a script run per partition cost more than the acks
     * themselves. XACK takes the ids a thousand at a time, because Lua's unpack has a stack
     * limit of a few thousand values.
     */
    static final FencedScript ACK = FencedScript.of("""
            local held = {}
            local a = o + 2
            for i = 1, #K / 2 do
              local lock, stream = K[2 * i - 1], K[2 * i]
              local token, n = ARGV[a], tonumber(ARGV[a + 1])
              local first, last = a + 2, a + 1 + n
              if redis.call('get', lock) == token then
                held[i] = 1
                for from = first, last, 1000 do
                  redis.call('xack', stream, ARGV[o + 1], unpack(ARGV, from, math.min(last, from + 999)))
                end
              else
                held[i] = 0
              end
              a = last + 1
            end
            return held
            """, "allow-oom");

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

    /**
     * KEYS: lock, key. ARGV: token, value. Answers 0 when the fence did not hold; an empty token
     * checks nothing. Runs at maxmemory: the key is a partition's small mark (poisoned, stuck,
     * halted), see {@link LuaScript#ALLOW_OOM}.
     */
    static final LuaScript SET = new LuaScript(LuaScript.ALLOW_OOM + """
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
    private final KeyPlacement placement;

    /**
     * On a single server.
     *
     * @param runner  sends script runs on the client's connection
     * @param failure turns an error reply into the exception to throw
     */
    public FencedCommands(LuaScript.Runner runner, Function<Throwable, ? extends RuntimeException> failure) {
        this(runner, failure, KeyPlacement.SINGLE_SERVER);
    }

    /**
     * On a Redis Cluster, where one command may only name keys of one hash slot: a fence's
     * lock and the stream it guards must share a slot (a hash tag), and the calls that serve
     * several streams go per master, with their keys passed as a cross-slot script's arguments.
     *
     * @param runner    sends script runs on the client's connections
     * @param failure   turns an error reply into the exception to throw
     * @param placement where the server keeps keys
     */
    public FencedCommands(LuaScript.Runner runner, Function<Throwable, ? extends RuntimeException> failure,
                          KeyPlacement placement) {
        this.runner = runner;
        this.failure = failure;
        this.placement = placement;
    }

    /**
     * {@code Transport.extendFenced}. On a cluster every master is asked on its own, all at
     * once, so that one master down or hung (mid-failover) neither keeps the others' locks
     * from being extended nor delays them: then {@link PartlyAnswered} carries the answers
     * that came.
     *
     * @param fences    the locks to extend, each with the token it must hold
     * @param ttlMillis the new time to live, in milliseconds (positive)
     * @return per fence, whether it still held and was extended
     * @throws PartlyAnswered on a cluster when only some masters answered
     */
    public List<Boolean> extend(List<Fence> fences, long ttlMillis) {
        byte[] millis = utf8(Long.toString(ttlMillis));
        IntFunction<LuaScript.Run> run = i -> new LuaScript.Run(List.of(fences.get(i).lockKey()),
                List.of(utf8(fences.get(i).token()), millis));
        List<List<Integer>> perNode = byNode(bySlot(fences.size(), i -> fences.get(i).lockKey())).stream()
                .map(FencedCommands::flatten).toList();
        Function<List<Integer>, List<Long>> extendOn = positions -> LuaScript.integers(
                LuaScript.EXTEND_IF_OWNER.runAll(positions.stream().map(run::apply).toList(), runner, failure));
        if (perNode.size() == 1) {
            return extendOn.apply(perNode.get(0)).stream().map(n -> n == 1L).toList();
        }
        List<CompletableFuture<List<Long>>> asked = new ArrayList<>(perNode.size());
        for (List<Integer> positions : perNode) {
            asked.add(CompletableFuture.supplyAsync(() -> extendOn.apply(positions), Thread::startVirtualThread));
        }
        Boolean[] held = new Boolean[fences.size()];
        TransportException unanswered = null;
        for (int u = 0; u < perNode.size(); u++) {
            try {
                fill(held, perNode.get(u), asked.get(u).join());
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof TransportException failed)) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
                unanswered = unanswered == null ? failed : unanswered;
            }
        }
        return answers(held, unanswered);
    }

    /**
     * {@code Transport.releaseFenced}.
     *
     * @param fences the locks to release, each with the token it must hold
     * @return per fence, whether it was deleted
     */
    public List<Boolean> release(List<Fence> fences) {
        List<LuaScript.Run> runs = new ArrayList<>(fences.size());
        for (Fence f : fences) {
            runs.add(new LuaScript.Run(List.of(f.lockKey()), List.of(utf8(f.token()))));
        }
        return ones(LuaScript.DELETE_IF_OWNER.runAll(runs, runner, failure));
    }

    /**
     * How a client sends reads and, after them on the same connection, a script run: the
     * reads' entries must be in the pending list before the run looks at it.
     */
    @FunctionalInterface
    public interface ReadThenRun {
        /**
         * Sends every unit's reads and then its run, pipelined: a unit's commands go to one
         * server (one master of a cluster) in order; the units may go to different masters
         * and all are sent before any reply is awaited.
         *
         * @param group    the consumer group to read as
         * @param consumer the consumer to read as: the fence token
         * @param units    the reads and check runs to send, one unit per server
         * @param count    COUNT for each read; zero or less for none
         * @param block    BLOCK for the reads, or null for none; a blocking call has one unit of one read
         * @return per unit, the entries its reads got by stream key, and its run's reply or
         *         the exception its error reply became (a failed read throws)
         */
        List<ReadAndRun> send(String group, String consumer, List<ReadUnit> units, int count, Duration block);
    }

    /**
     * Reads and the check that follows them, all on one server.
     *
     * @param reads where to read each stream from, in order, per XREADGROUP (one per hash slot)
     * @param sha   the check script's SHA-1, for EVALSHA
     * @param check the check's keys and arguments
     */
    public record ReadUnit(List<Map<String, String>> reads, String sha, LuaScript.Run check) {
        /**
         * Copies {@code reads}.
         *
         * @throws NullPointerException if {@code reads} is null
         */
        public ReadUnit {
            reads = List.copyOf(reads);
        }

        /**
         * Every stream the unit reads, in order.
         *
         * @return the stream keys of every read, in order
         */
        public List<String> keys() {
            List<String> keys = new ArrayList<>();
            for (Map<String, String> read : reads) {
                keys.addAll(read.keySet());
            }
            return keys;
        }
    }

    /**
     * What {@link ReadThenRun} got back for a unit.
     *
     * @param entries  the entries the unit's reads got, by stream key (streams with none
     *                 may be absent)
     * @param runReply the check's reply, or the exception its error reply became
     */
    public record ReadAndRun(Map<String, List<StreamEntry>> entries, Object runReply) {
    }

    /**
     * {@code Transport.readGroupFenced}: the read and a check in one round trip, and a claim
     * where one is needed. On a cluster a non-blocking read may name streams of several
     * slots: it becomes one XREADGROUP per slot and one check per master, all sent at once.
     *
     * @param group  the consumer group's name
     * @param reads  the streams to read, all with the same fence token
     * @param count  at most this many entries per stream from the read; zero or less for no limit
     * @param block  how long to wait when nothing is new; null, zero or negative for not at all
     * @param sender sends the reads and checks on the client's connections
     * @return per read, in order, what it found
     * @throws IllegalArgumentException if the reads carry different tokens, or a blocking read
     *                                  names streams of several hash slots
     */
    public List<FencedRead.Result> read(String group, List<FencedRead> reads, int count, Duration block,
                                        ReadThenRun sender) {
        if (reads.isEmpty()) {
            return List.of();
        }
        Map<Integer, List<Integer>> bySlot = bySlot(reads.size(), i -> reads.get(i).key());
        if (bySlot.size() > 1 && TransportArgs.isBlocking(block)) {
            throw SlotGroups.blockingAcrossSlots(bySlot.keySet());
        }
        String token = FencedRead.commonToken(reads);
        boolean across = placement.cluster();
        byte[][] checkArgs = {utf8(group), utf8(token)};
        List<List<List<Integer>>> perNode = byNode(bySlot);
        List<ReadUnit> units = new ArrayList<>(perNode.size());
        for (List<List<Integer>> slots : perNode) {
            List<Map<String, String>> slotReads = new ArrayList<>(slots.size());
            for (List<Integer> positions : slots) {
                Map<String, String> ids = new LinkedHashMap<>();
                for (int i : positions) {
                    ids.put(reads.get(i).key(), reads.get(i).afterId());
                }
                slotReads.add(ids);
            }
            LuaScript.Run check = FencedScript.run(across, readKeys(reads, flatten(slots)), List.of(checkArgs));
            units.add(new ReadUnit(slotReads, CHECK.form(across).sha(), check));
        }
        List<ReadAndRun> got = sender.send(group, token, units, count, block);
        FencedRead.Result[] results = new FencedRead.Result[reads.size()];
        for (int u = 0; u < units.size(); u++) {
            List<List<Integer>> slots = perNode.get(u);
            List<Integer> positions = flatten(slots);
            Object reply = got.get(u).runReply();
            List<?> states = reply instanceof Throwable error
                    ? rerun(CHECK, units.get(u).check(), error, slots, p -> readKeys(reads, p), p -> List.of(checkArgs))
                    : (List<?>) reply;
            for (int j = 0; j < positions.size(); j++) {
                FencedRead r = reads.get(positions.get(j));
                List<StreamEntry> entries = got.get(u).entries().getOrDefault(r.key(), List.of());
                long state = ((Number) states.get(j)).longValue();
                results[positions.get(j)] = state == 0 ? FencedRead.Result.NOT_HELD
                        : state == 1 ? new FencedRead.Result(true, entries)
                        : claimed(group, r, entries);
            }
        }
        return List.of(results);
    }

    private static List<String> readKeys(List<FencedRead> reads, List<Integer> positions) {
        return fenceKeys(positions, i -> reads.get(i).fence(), i -> reads.get(i).key());
    }

    /**
     * A fenced script's run that came back with an error, run again: with its source if
     * the server lacked the script, and slot by slot if it spanned several slots and was
     * refused (the slots no longer share a master: a failover, a resharding; each slot's run
     * goes to the master now serving it).
     *
     * @return the reply's elements, in the order of the slots' positions
     */
    private List<?> rerun(FencedScript script, LuaScript.Run run, Throwable error, List<List<Integer>> slots,
                          Function<List<Integer>, List<String>> keys, Function<List<Integer>, List<byte[]>> args) {
        boolean across = placement.cluster();
        if (RedisReplies.scriptMissing(error)) {
            Object reply = script.form(across).runAllSettled(List.of(run), runner).get(0);
            if (!(reply instanceof Throwable again)) {
                return (List<?>) reply;
            }
            error = again;
        }
        if (slots.size() == 1) {
            throw failure.apply(error);
        }
        List<LuaScript.Run> runs = new ArrayList<>(slots.size());
        for (List<Integer> positions : slots) {
            runs.add(FencedScript.run(across, keys.apply(positions), args.apply(positions)));
        }
        List<Object> flat = new ArrayList<>();
        for (Object reply : script.form(across).runAll(runs, runner, failure)) {
            flat.addAll((List<?>) reply);
        }
        return flat;
    }

    /** A lock and a stream per position: the keys of the check and the ack scripts. */
    private static List<String> fenceKeys(List<Integer> positions, IntFunction<Fence> fence, IntFunction<String> key) {
        List<String> keys = new ArrayList<>(positions.size() * 2);
        for (int i : positions) {
            keys.add(fence.apply(i).lockKey());
            keys.add(key.apply(i));
        }
        return keys;
    }

    /**
     * Slots grouped by the master serving them, as the client's layout has it (one group on
     * a single server), each slot as its positions.
     */
    private List<List<List<Integer>>> byNode(Map<Integer, List<Integer>> bySlot) {
        if (!placement.cluster()) {
            return List.of(List.copyOf(bySlot.values()));
        }
        Map<Object, List<List<Integer>>> nodes = new LinkedHashMap<>();
        bySlot.forEach((slot, positions) ->
                nodes.computeIfAbsent(placement.node(slot), n -> new ArrayList<>()).add(positions));
        return List.copyOf(nodes.values());
    }

    private static List<Integer> flatten(List<List<Integer>> slots) {
        if (slots.size() == 1) {
            return slots.get(0);
        }
        List<Integer> all = new ArrayList<>();
        slots.forEach(all::addAll);
        return all;
    }

    /**
     * {@code Transport.handOverPending}.
     *
     * @param group   the consumer group's name
     * @param to      the consumer that takes the entries over
     * @param streams fences with their streams ({@code afterId} is not used)
     * @return per stream, whether its fence held
     */
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

    /**
     * {@code Transport.ackFenced}: one script run for every stream (per master on a cluster),
     * pipelined. On a cluster, a master that does not answer (down, or mid-failover) leaves
     * only its own acks unanswered: then {@link PartlyAnswered} carries the others' answers.
     * Acknowledging is idempotent, so a master whose answer was lost with another's failure is
     * asked again on its own.
     *
     * @param group the consumer group's name
     * @param acks  per stream, its fence and the ids to acknowledge
     * @return per ack, whether its fence held (and the ids were acknowledged)
     * @throws PartlyAnswered on a cluster when only some masters answered
     */
    public List<Boolean> ack(String group, List<FencedAck> acks) {
        if (acks.isEmpty()) {
            return List.of();
        }
        List<List<List<Integer>>> perNode = byNode(bySlot(acks.size(), i -> acks.get(i).key()));
        boolean across = placement.cluster();
        List<LuaScript.Run> runs = new ArrayList<>(perNode.size());
        for (List<List<Integer>> slots : perNode) {
            List<Integer> positions = flatten(slots);
            runs.add(FencedScript.run(across, ackKeys(acks, positions), ackArgs(group, acks, positions)));
        }
        List<Object> replies;
        try {
            replies = ACK.form(across).runAllSettled(runs, runner);
        } catch (TransportException e) {
            if (perNode.size() == 1 || e instanceof CommandRejected) {
                throw e;
            }
            // A client that fails the whole pipeline when one master is unreachable: ask each alone.
            replies = Collections.nCopies(perNode.size(), ALONE);
        }
        Boolean[] held = new Boolean[acks.size()];
        List<Integer> alone = new ArrayList<>();
        TransportException unanswered = null;
        for (int u = 0; u < perNode.size(); u++) {
            List<List<Integer>> slots = perNode.get(u);
            Object reply = replies.get(u);
            if (reply == ALONE) {
                alone.add(u);
            } else if (!(reply instanceof Throwable error)) {
                fill(held, flatten(slots), (List<?>) reply);
            } else if (perNode.size() > 1 && failure.apply(error) instanceof TransportException noAnswer
                    && !(noAnswer instanceof CommandRejected)) {
                unanswered = unanswered != null ? unanswered : noAnswer; // the master did not answer
            } else {
                fill(held, flatten(slots), rerun(ACK, runs.get(u), error, slots, p -> ackKeys(acks, p),
                        p -> ackArgs(group, acks, p)));
            }
        }
        List<CompletableFuture<List<?>>> asked = new ArrayList<>(alone.size());
        for (int u : alone) {
            List<List<Integer>> slots = perNode.get(u);
            LuaScript.Run run = runs.get(u);
            asked.add(CompletableFuture.supplyAsync(() -> {
                Object reply = ACK.form(across).runAllSettled(List.of(run), runner).get(0);
                return reply instanceof Throwable error
                        ? rerun(ACK, run, error, slots, p -> ackKeys(acks, p), p -> ackArgs(group, acks, p))
                        : (List<?>) reply;
            }, Thread::startVirtualThread));
        }
        for (int a = 0; a < alone.size(); a++) {
            try {
                fill(held, flatten(perNode.get(alone.get(a))), asked.get(a).join());
            } catch (CompletionException e) {
                if (!(e.getCause() instanceof TransportException noAnswer) || noAnswer instanceof CommandRejected) {
                    throw e.getCause() instanceof RuntimeException r ? r : e;
                }
                unanswered = unanswered != null ? unanswered : noAnswer;
            }
        }
        return answers(held, unanswered);
    }

    /** Stands for a master's reply still to be asked for on its own. */
    private static final Object ALONE = new Object();

    /** Each position's answer from a script's reply of 1s and 0s, in the positions' order. */
    private static void fill(Boolean[] held, List<Integer> positions, List<?> reply) {
        for (int j = 0; j < positions.size(); j++) {
            held[positions.get(j)] = ((Number) reply.get(j)).longValue() == 1L;
        }
    }

    /**
     * Every answer, or, when some master did not answer ({@code unanswered}), the answers
     * that came as a {@link PartlyAnswered}, or {@code unanswered} itself if none came.
     */
    private static List<Boolean> answers(Boolean[] held, TransportException unanswered) {
        if (unanswered == null) {
            return List.of(held);
        }
        if (Arrays.stream(held).allMatch(Objects::isNull)) {
            throw unanswered;
        }
        throw new PartlyAnswered(unanswered.getMessage(), Arrays.asList(held), unanswered);
    }

    private static List<String> ackKeys(List<FencedAck> acks, List<Integer> positions) {
        return fenceKeys(positions, i -> acks.get(i).fence(), i -> acks.get(i).key());
    }

    private static List<byte[]> ackArgs(String group, List<FencedAck> acks, List<Integer> positions) {
        List<byte[]> args = new ArrayList<>();
        args.add(utf8(group));
        for (int i : positions) {
            FencedAck a = acks.get(i);
            args.add(utf8(a.fence().token()));
            args.add(utf8(Integer.toString(a.ids().size())));
            for (String id : a.ids()) {
                args.add(utf8(id));
            }
        }
        return args;
    }

    /**
     * {@code Transport.appendFenced}: all appends in one script run. On a cluster, appends to
     * streams outside the lock's hash slot cannot be in the lock's script run: the fence is
     * checked first, then the appends are made per slot, so a holder that loses its lock in
     * between may still append (at least once, as every append).
     *
     * @param fence   the lock that must still hold its token
     * @param appends the entries to add, in order
     * @return the ids of the appended entries, or empty when the fence no longer held
     */
    public Optional<List<String>> append(Fence fence, List<Append> appends) {
        int lockSlot = placement.slot(fence.lockKey());
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

    /**
     * {@code Transport.setFenced}; on a cluster, checked first and then set when the key is outside the lock's slot.
     *
     * @param fence the lock that must still hold its token
     * @param key   the key to set
     * @param value the value to store, without expiry
     * @return whether the fence held (and the value was set)
     */
    public boolean set(Fence fence, String key, String value) {
        LuaScript.Run run;
        if (placement.slot(fence.lockKey()) == placement.slot(key)) {
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
        return SlotGroups.positionsBySlot(n, key, placement::slot);
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
