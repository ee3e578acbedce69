// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.RetentionPass;
import io.runnel.api.transport.RetentionResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A {@link RetentionPass} as one Lua script, so deciding what every group still needs and
 * trimming below it are atomic (a group reading in between cannot make a needed entry
 * trimmable). Both Redis transports send {@link #SOURCE} with EVAL, keys and arguments from
 * {@link #keys} and {@link #args}, and hand the reply to {@link #parse}.
 *
 * <p>The script runs at {@code maxmemory} too ({@code allow-oom}, Redis 7.0): trimming is
 * what frees memory, and without the flag Redis would refuse the whole pass at its first
 * write that can grow memory, such as the record's few bytes, before its XTRIM could free
 * anything.
 *
 * <p>How losses are found: Redis 7 counts, per stream, every entry ever added, and per group
 * the entries it has read. Trimming or deleting entries a group has not read leaves both
 * counters as they were (Redis 7.0 also keeps counting from there when the group reads on),
 * so {@code added - read - lag} is the number of entries the group will never read. The
 * script remembers the last such gap per group in the record hash ({@code seen:<group>}) and
 * adds any growth to {@code lost:<group>}. A group that has not read anything yet counts as
 * having read nothing, so everything removed since its creation point counts. The gap is
 * only read when the lag is exact; a trim that removes unread entries always leaves the
 * group behind the whole stream, where it is.
 *
 * <p>The counters are only as good as the server's copy. Before Redis 7.2.5 or so
 * (redis/redis#12898) a replica does not keep a group's entries-read up to date with its
 * master's reads, so a promoted replica's gap is too large by every entry read since its
 * last full sync. So the record keeps, per group, the replication id of the server whose
 * counters its gap was read from ({@code origin:<group>}). On another history (a failover,
 * a restart without the data's replication id) a group's gap is no reading of a loss but
 * its starting point: the first pass there that finds its lag exact, before trimming
 * anything, records the gap as the group's {@code seen:<group>} and the server as its
 * origin, and counts only what grows after that, that pass's own trims included. Until such
 * a pass (a group more than 1,000 entries behind has no exact
 * lag) the group's losses are not read at all: a starting point taken from an estimate
 * could hide a loss or invent one. So a group's entries removed unread on the new server
 * before its starting point go uncounted; losses in a failover itself are beyond the audit
 * anyway (asynchronous replication).
 *
 * <p>A group with no origin of its own is on the record's history when the record's single
 * {@code origin} field (written by earlier versions on every pass) names this server, or,
 * with no such field, when the server never was a replica (no previous replication id of
 * its own, {@code master_replid2}): then its counters were made here and count from zero.
 * The single field is only read, never written: it said which server made the last pass,
 * not which groups had a starting point on it.
 *
 * <p>The reply: {@code [trimmed, length, first id or "", then per group: name, lag, lost now,
 * lost in total]}.
 */
public final class RetentionScript {

    /** KEYS: the stream, the record hash. ARGV: trim acked (1/0), max age ms, max length. */
    // concat, not +: a compile-time constant would be copied into the transports' classes,
    // which would then send an old script until they are recompiled themselves. The flags
    // must be the first line.
    public static final String SOURCE = LuaScript.ALLOW_OOM.concat(StreamLua.FUNCTIONS).concat("""
            local key, record = KEYS[1], KEYS[2]
            local maxAge, maxLength = tonumber(ARGV[2]), tonumber(ARGV[3])
            if redis.call('type', key).ok ~= 'stream' then
              return {0, 0, ''}
            end
            local replication = redis.call('info', 'replication')
            local origin = string.match(replication, 'master_replid:(%x+)') or ''
            local previous = string.match(replication, 'master_replid2:(%x+)') or ''
            local legacy = redis.call('hget', record, 'origin')
            -- Counters of groups with no origin of their own: made here if earlier versions
            -- recorded this server, or if it never was a replica.
            local here = (legacy == origin) or (not legacy and string.find(previous, '[^0]') == nil)
            local groups = {}
            for _, flat in ipairs(redis.call('xinfo', 'groups', key)) do
              local g = {}
              for i = 1, #flat, 2 do
                g[flat[i]] = flat[i + 1]
              end
              groups[#groups + 1] = g
            end
            local info0
            local trusted, owns = {}, {}
            for _, g in ipairs(groups) do
              local name = g['name']
              local own = redis.call('hget', record, 'origin:' .. name)
              owns[name] = own == origin
              trusted[name] = own == origin or (not own and here)
              if not trusted[name] then
                -- Another history: the gap, as it is before this pass trims anything, is the
                -- starting point, so a loss this very pass makes is still counted.
                if not info0 then
                  info0 = {}
                  local flat0 = redis.call('xinfo', 'stream', key)
                  for i = 1, #flat0, 2 do
                    info0[flat0[i]] = flat0[i + 1]
                  end
                end
                local first0 = info0['first-entry'] and info0['first-entry'][1] or nil
                local last0 = info0['last-entry'] and info0['last-entry'][1] or nil
                local n0, exact0 = lag(key, g['last-delivered-id'], info0['length'], first0, last0, g['lag'])
                local read0 = g['entries-read']
                if type(read0) ~= 'number' and g['last-delivered-id'] == '0-0' then
                  read0 = 0
                end
                if exact0 == 1 and type(read0) == 'number' and type(info0['entries-added']) == 'number' then
                  redis.call('hset', record, 'seen:' .. name, info0['entries-added'] - read0 - n0,
                    'origin:' .. name, origin)
                  trusted[name] = true
                  owns[name] = true
                end
              end
            end
            local trimmed = 0
            if ARGV[1] == '1' and #groups > 0 then
              local keep
              for _, g in ipairs(groups) do
                local need = g['last-delivered-id']
                local oldest = redis.call('xpending', key, g['name'])[2]
                if oldest and cmp(oldest, need) < 0 then need = oldest end
                if not keep or cmp(need, keep) < 0 then keep = need end
              end
              trimmed = trimmed + redis.call('xtrim', key, 'MINID', keep)
            end
            if maxAge > 0 then
              local now = redis.call('time')
              local cutoff = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - maxAge
              if cutoff > 0 then
                trimmed = trimmed + redis.call('xtrim', key, 'MINID', string.format('%d', cutoff))
              end
            end
            if maxLength > 0 then
              trimmed = trimmed + redis.call('xtrim', key, 'MAXLEN', maxLength)
            end
            local info = {}
            local flat = redis.call('xinfo', 'stream', key)
            for i = 1, #flat, 2 do
              info[flat[i]] = flat[i + 1]
            end
            local length = info['length']
            local first = info['first-entry'] and info['first-entry'][1] or nil
            local last = info['last-entry'] and info['last-entry'][1] or nil
            local reply = {trimmed, length, first or ''}
            for _, g in ipairs(groups) do
              local name = g['name']
              local n, exact = lag(key, g['last-delivered-id'], length, first, last, g['lag'])
              local read = g['entries-read']
              if type(read) ~= 'number' and g['last-delivered-id'] == '0-0' then
                read = 0 -- a group created at 0 has no counter until its first read
              end
              local lostNow = 0
              if trusted[name] and exact == 1 and type(read) == 'number' and type(info['entries-added']) == 'number' then
                local gap = info['entries-added'] - read - n
                local seen = tonumber(redis.call('hget', record, 'seen:' .. name) or '0')
                if gap > seen then lostNow = gap - seen end
                if gap ~= seen then redis.call('hset', record, 'seen:' .. name, gap) end
                if not owns[name] then redis.call('hset', record, 'origin:' .. name, origin) end
              end
              local total
              if lostNow > 0 then
                total = redis.call('hincrby', record, 'lost:' .. name, lostNow)
              else
                total = tonumber(redis.call('hget', record, 'lost:' .. name) or '0')
              end
              reply[#reply + 1] = name
              reply[#reply + 1] = n
              reply[#reply + 1] = lostNow
              reply[#reply + 1] = total
            end
            return reply
            """);

    private RetentionScript() {
    }

    /**
     * The script's KEYS for a pass.
     *
     * @param pass the retention pass
     * @return the stream, then the record hash (which must share a hash slot on a cluster)
     */
    public static List<String> keys(RetentionPass pass) {
        return List.of(pass.key(), pass.recordKey());
    }

    /**
     * The script's ARGV for a pass.
     *
     * @param pass the retention pass
     * @return {@code trimAcked} as 1 or 0, {@code maxAge} in milliseconds and
     *         {@code maxLength}, as UTF-8 text
     */
    public static List<byte[]> args(RetentionPass pass) {
        return List.of(utf8(pass.trimAcked() ? "1" : "0"), utf8(Long.toString(pass.maxAge().toMillis())),
                utf8(Long.toString(pass.maxLength())));
    }

    /**
     * The result from the script's reply.
     *
     * @param reply integers as {@code Long}, strings as {@code byte[]} or {@code String}
     * @return what the pass did and found
     * @throws IllegalArgumentException if the reply does not have the script's shape
     */
    public static RetentionResult parse(List<?> reply) {
        if (reply == null || reply.size() < 3 || (reply.size() - 3) % 4 != 0) {
            throw new IllegalArgumentException("unexpected retention reply: " + reply);
        }
        String first = RedisReplies.text(reply.get(2));
        List<RetentionResult.GroupRetention> groups = new ArrayList<>();
        for (int i = 3; i < reply.size(); i += 4) {
            groups.add(new RetentionResult.GroupRetention(RedisReplies.text(reply.get(i)), number(reply.get(i + 1)),
                    number(reply.get(i + 2)), number(reply.get(i + 3))));
        }
        return new RetentionResult(number(reply.get(0)), number(reply.get(1)),
                first.isEmpty() ? Optional.empty() : Optional.of(first), groups);
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }


    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
