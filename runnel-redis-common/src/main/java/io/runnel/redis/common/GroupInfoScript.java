// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.GroupInfo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a consumer group's state in one Lua script, so the pending summary and the group's
 * offset and lag come from the same instant (two separate commands could straddle a
 * delivery). Both Redis transports send {@link #SOURCE} with EVAL (one key: the stream;
 * one argument: the group) and hand the multi-bulk reply to {@link #parse(List)}.
 *
 * <p>Lua sees XINFO GROUPS in its RESP2 form whatever protocol the client speaks: a flat
 * list of names and values per group, nil as {@code false}. The script answers an empty
 * list when there is no such stream or group, else {@code [pending, oldest pending id or
 * "", last delivered id, lag, entries read or -1, the oldest pending entry's delivery count]}; the lag is {@link io.runnel.api.transport.GroupInfo#lag()}'s,
 * which Redis's own lag is not after trimming or XDEL inside the undelivered range.
 */
public final class GroupInfoScript {

    /** The script; KEYS[1] the stream, ARGV[1] the group. Read-only. */
    // concat, not +: a compile-time constant would be copied into the transports' classes,
    // which would then send an old script until they are recompiled themselves.
    public static final String SOURCE = StreamLua.FUNCTIONS.concat("""
            if redis.call('type', KEYS[1]).ok ~= 'stream' then
              return {}
            end
            for _, group in ipairs(redis.call('xinfo', 'groups', KEYS[1])) do
              local info = {}
              for i = 1, #group, 2 do
                info[group[i]] = group[i + 1]
              end
              if info['name'] == ARGV[1] then
                local pending = redis.call('xpending', KEYS[1], ARGV[1])
                local length = redis.call('xlen', KEYS[1])
                local n = 0
                if length > 0 then
                  local first = redis.call('xrange', KEYS[1], '-', '+', 'COUNT', 1)[1][1]
                  local last = redis.call('xrevrange', KEYS[1], '+', '-', 'COUNT', 1)[1][1]
                  n = lag(KEYS[1], info['last-delivered-id'], length, first, last, info['lag'])
                end
                local deliveries = 0
                if pending[1] > 0 then
                  deliveries = redis.call('xpending', KEYS[1], ARGV[1], '-', '+', 1)[1][4]
                end
                return {pending[1], pending[2] or '', info['last-delivered-id'], n, info['entries-read'] or -1,
                        deliveries}
              end
            end
            return {}
            """);

    private GroupInfoScript() {
    }

    /**
     * The group's state from the script's reply.
     *
     * @param reply integers as {@code Long}, strings as {@code byte[]} or {@code String}
     * @return the group's state; empty when the script found no such stream or group
     * @throws IllegalArgumentException if the reply does not have the script's shape
     */
    public static Optional<GroupInfo> parse(List<?> reply) {
        if (reply == null || reply.isEmpty()) {
            return Optional.empty();
        }
        if (reply.size() < 4 || reply.size() > 6) {
            throw new IllegalArgumentException("unexpected group info reply of " + reply.size() + " elements");
        }
        String oldest = RedisReplies.text(reply.get(1));
        long lag = ((Number) reply.get(3)).longValue();
        long read = reply.size() >= 5 ? ((Number) reply.get(4)).longValue() : -1;
        return Optional.of(new GroupInfo(((Number) reply.get(0)).longValue(),
                oldest.isEmpty() ? Optional.empty() : Optional.of(oldest),
                RedisReplies.text(reply.get(2)),
                lag < 0 ? OptionalLong.empty() : OptionalLong.of(lag),
                read < 0 ? OptionalLong.empty() : OptionalLong.of(read),
                reply.size() == 6 ? ((Number) reply.get(5)).longValue() : 0));
    }

}
