// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.Append;
import io.runnel.api.transport.Fence;
import io.runnel.api.transport.ParkStep;
import io.runnel.api.transport.ParkingKeys;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The parking and replay commands of the {@code Transport} contract as Lua scripts, the same
 * for every Redis client ({@code parkFenced}, {@code releaseParked}, {@code appendOnce},
 * {@code deleteEntries}). Each call names the keys of one partition, which share a hash
 * slot on a Redis Cluster, so each is one script run wherever the partition lives.
 */
public final class ParkingCommands {

    /**
     * KEYS: lock, stream, parked stream, marks. ARGV: group, token, then per step its mode
     * (FAIL, FOLLOW, FINISH), key, event id, replayed (1 or 0), number of fields and the
     * fields. Answers {@code [0]} when the fence did not hold, else {@code [1, outcome...]}
     * with outcomes 0 process, 1 process (the replay's last), 2 parked.
     */
    static final LuaScript PARK = new LuaScript(StreamLua.FUNCTIONS + """
            if redis.call('get', KEYS[1]) ~= ARGV[2] then
              return {0}
            end
            local out = {1}
            local a = 3
            while a <= #ARGV do
              local mode, key, id, replayed, n = ARGV[a], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], tonumber(ARGV[a + 4])
              local first, last = a + 5, a + 4 + 2 * n
              a = last + 1
              local mark = redis.call('hget', KEYS[4], key)
              local until_id, reparked
              if mark then
                until_id, reparked = string.match(mark, '^replaying (%S+)(.*)$')
              end
              local outcome, park = 0, false
              if mode == 'FAIL' then
                redis.call('hset', KEYS[4], key, 'parked')
                park = true
              elseif mode == 'FOLLOW' then
                if mark == 'parked' then
                  park = true
                elseif until_id then
                  if replayed == '1' then
                    if id == until_id then outcome = 1 end
                  elseif cmp(id, until_id) <= 0 then
                    redis.call('hset', KEYS[4], key, 'replaying ' .. until_id .. ' reparked')
                    park = true
                  end
                end
              else
                if until_id == id and reparked == '' then
                  redis.call('hdel', KEYS[4], key)
                elseif until_id == id then
                  redis.call('hset', KEYS[4], key, 'parked')
                  outcome = 2
                elseif mark then
                  outcome = 2
                end
              end
              if park then
                redis.call('xadd', KEYS[3], '*', unpack(ARGV, first, last))
                redis.call('xack', KEYS[2], ARGV[1], id)
                outcome = 2
              end
              out[#out + 1] = outcome
            end
            return out
            """, true);

    /**
     * KEYS: marks, parked stream, stream. ARGV: processor, key, replay (1 or 0). Answers
     * how many entries were re-sent or dropped, -1 when the key was not parked.
     */
    static final LuaScript RELEASE = new LuaScript("""
            if not redis.call('hget', KEYS[1], ARGV[2]) then
              return -1
            end
            local internal = {parked_processor = true, parked_key = true, parked_id = true, parked_at = true,
                              parked_error = true}
            local count, last, from = 0, nil, '-'
            while true do
              local batch = redis.call('xrange', KEYS[2], from, '+', 'COUNT', 500)
              if #batch == 0 then
                break
              end
              for _, entry in ipairs(batch) do
                local f, processor, key, original = entry[2], nil, nil, nil
                for i = 1, #f, 2 do
                  if f[i] == 'parked_processor' then processor = f[i + 1]
                  elseif f[i] == 'parked_key' then key = f[i + 1]
                  elseif f[i] == 'parked_id' then original = f[i + 1] end
                end
                if processor == ARGV[1] and key == ARGV[2] then
                  if ARGV[3] == '1' then
                    local args = {KEYS[3], '*'}
                    for i = 1, #f, 2 do
                      if not internal[f[i]] then
                        args[#args + 1] = f[i]
                        args[#args + 1] = f[i + 1]
                      end
                    end
                    args[#args + 1] = 'replay_for'
                    args[#args + 1] = ARGV[1]
                    args[#args + 1] = 'replay_key'
                    args[#args + 1] = ARGV[2]
                    args[#args + 1] = 'replay_of'
                    args[#args + 1] = original or entry[1]
                    last = redis.call('xadd', unpack(args))
                  end
                  redis.call('xdel', KEYS[2], entry[1])
                  count = count + 1
                end
              end
              from = '(' .. batch[#batch][1]
            end
            if last then
              redis.call('hset', KEYS[1], ARGV[2], 'replaying ' .. last)
            else
              redis.call('hdel', KEYS[1], ARGV[2])
            end
            return count
            """, false);

    /**
     * KEYS: journal, then a stream per append. ARGV: ttl in ms, then per append its token,
     * MAXLEN (0: none), number of fields and the fields. Answers the id of each append.
     */
    static final LuaScript APPEND_ONCE = new LuaScript("""
            local ids = {}
            local a = 2
            for k = 2, #KEYS do
              local token, maxlen, n = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
              local first, last = a + 3, a + 2 + 2 * n
              a = last + 1
              local id = redis.call('hget', KEYS[1], token)
              if not id then
                if maxlen > 0 then
                  id = redis.call('xadd', KEYS[k], 'MAXLEN', '~', maxlen, '*', unpack(ARGV, first, last))
                else
                  id = redis.call('xadd', KEYS[k], '*', unpack(ARGV, first, last))
                end
                redis.call('hset', KEYS[1], token, id)
              end
              ids[#ids + 1] = id
            end
            redis.call('pexpire', KEYS[1], ARGV[1])
            return ids
            """, true);

    /** KEYS: stream. ARGV: ids. Answers how many existed. */
    static final LuaScript DELETE_ENTRIES = new LuaScript("""
            local deleted = 0
            for from = 1, #ARGV, 1000 do
              deleted = deleted + redis.call('xdel', KEYS[1], unpack(ARGV, from, math.min(#ARGV, from + 999)))
            end
            return deleted
            """, false);

    private final LuaScript.Runner runner;
    private final Function<Throwable, ? extends RuntimeException> failure;

    /**
     * The parking commands over one client.
     *
     * @param runner  sends script runs on the client's connection (routed by the first key on a cluster)
     * @param failure turns an error reply into the exception to throw
     */
    public ParkingCommands(LuaScript.Runner runner, Function<Throwable, ? extends RuntimeException> failure) {
        this.runner = runner;
        this.failure = failure;
    }

    /**
     * {@code Transport.parkFenced}.
     *
     * @param fence the partition's lock, which must still hold its token
     * @param group the consumer group the parked events are acknowledged for
     * @param keys  the partition's stream, parked stream and parking marks, in one hash slot
     * @param steps the events to take through the parking, in partition order
     * @return per step, in order, what became of it; empty when the fence no longer held
     */
    public Optional<List<ParkStep.Outcome>> park(Fence fence, String group, ParkingKeys keys, List<ParkStep> steps) {
        if (steps.isEmpty()) {
            return Optional.of(List.of());
        }
        List<byte[]> args = new ArrayList<>();
        args.add(utf8(group));
        args.add(utf8(fence.token()));
        for (ParkStep step : steps) {
            args.add(utf8(step.mode().name()));
            args.add(utf8(step.key()));
            args.add(utf8(step.eventId()));
            args.add(utf8(step.replayed() ? "1" : "0"));
            args.add(utf8(Integer.toString(step.fields().size())));
            step.fields().forEach((field, value) -> {
                args.add(utf8(field));
                args.add(value);
            });
        }
        List<String> scriptKeys = List.of(fence.lockKey(), keys.stream(), keys.parked(), keys.marks());
        List<?> reply = (List<?>) PARK.runAll(List.of(new LuaScript.Run(scriptKeys, args)), runner, failure).get(0);
        if (((Number) reply.get(0)).longValue() == 0) {
            return Optional.empty();
        }
        List<ParkStep.Outcome> outcomes = new ArrayList<>(steps.size());
        for (Object outcome : reply.subList(1, reply.size())) {
            outcomes.add(ParkStep.Outcome.values()[((Number) outcome).intValue()]);
        }
        return Optional.of(List.copyOf(outcomes));
    }

    /**
     * {@code Transport.releaseParked}.
     *
     * @param keys      the partition's stream, parked stream and parking marks, in one hash slot
     * @param processor the name of the processor that parked the key
     * @param key       the parked partition key, as text
     * @param replay    true to re-send the parked entries to the stream, false to drop them
     * @return how many entries were re-sent or dropped; -1 when the key was not parked
     */
    public long release(ParkingKeys keys, String processor, String key, boolean replay) {
        LuaScript.Run run = new LuaScript.Run(List.of(keys.marks(), keys.parked(), keys.stream()),
                List.of(utf8(processor), utf8(key), utf8(replay ? "1" : "0")));
        return (Long) RELEASE.runAll(List.of(run), runner, failure).get(0);
    }

    /**
     * {@code Transport.appendOnce}.
     *
     * @param journal the hash of tokens to entry ids
     * @param ttl     how long the journal lives after this call (at least a millisecond)
     * @param appends the entries to add, in order, in the journal's hash slot
     * @param tokens  one per append, naming its copy uniquely
     * @return per append, the id of its entry, new or recorded earlier
     * @throws IllegalArgumentException if there are not as many tokens as appends
     */
    public List<String> appendOnce(String journal, Duration ttl, List<Append> appends, List<String> tokens) {
        if (appends.size() != tokens.size()) {
            throw new IllegalArgumentException(appends.size() + " appends but " + tokens.size() + " tokens");
        }
        if (appends.isEmpty()) {
            return List.of();
        }
        List<String> keys = new ArrayList<>(1 + appends.size());
        List<byte[]> args = new ArrayList<>();
        keys.add(journal);
        args.add(utf8(Long.toString(Math.max(1, ttl.toMillis()))));
        for (int i = 0; i < appends.size(); i++) {
            Append a = appends.get(i);
            keys.add(a.key());
            args.add(utf8(tokens.get(i)));
            args.add(utf8(Long.toString(a.maxLen())));
            args.add(utf8(Integer.toString(a.fields().size())));
            a.fields().forEach((field, value) -> {
                args.add(utf8(field));
                args.add(value);
            });
        }
        List<?> reply = (List<?>) APPEND_ONCE.runAll(List.of(new LuaScript.Run(keys, args)), runner, failure).get(0);
        return reply.stream().map(RedisReplies::text).toList();
    }

    /**
     * {@code Transport.deleteEntries}.
     *
     * @param key the stream key
     * @param ids the ids of the entries to delete
     * @return how many existed
     */
    public long deleteEntries(String key, List<String> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        List<byte[]> args = ids.stream().map(ParkingCommands::utf8).toList();
        return (Long) DELETE_ENTRIES.runAll(List.of(new LuaScript.Run(List.of(key), args)), runner, failure).get(0);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
