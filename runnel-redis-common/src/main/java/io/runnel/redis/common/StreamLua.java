// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

/**
 * Lua functions shared by the stream scripts: comparing stream ids, and a group's lag that
 * stays right after entries were trimmed or deleted inside its undelivered range.
 */
final class StreamLua {

    /** Entries counted after a group's last delivered one before the lag becomes an estimate. */
    static final int LAG_COUNT_BOUND = 1000;

    /**
     * {@code cmp(a, b)}: -1, 0 or 1 by stream-id order (ids have no leading zeros, so a
     * shorter number is smaller; Lua's numbers would lose precision past 2^53).
     *
     * <p>{@code lag(key, delivered, length, first, last, counter)}: entries after the id
     * {@code delivered}, and 1 when exact, 0 when estimated. Exact when the group has read
     * everything or is behind the whole stream; else counted up to {@link #LAG_COUNT_BOUND};
     * beyond that the server's {@code counter} (XINFO's lag, possibly nil) capped at the
     * stream's length.
     */
    static final String FUNCTIONS = "local BOUND = " + LAG_COUNT_BOUND + "\n" + """
            local function cmp(a, b)
              local am, as = string.match(a, '^(%d+)-(%d+)$')
              local bm, bs = string.match(b, '^(%d+)-(%d+)$')
              if am ~= bm then
                if #am ~= #bm then return #am < #bm and -1 or 1 end
                return am < bm and -1 or 1
              end
              if as == bs then return 0 end
              if #as ~= #bs then return #as < #bs and -1 or 1 end
              return as < bs and -1 or 1
            end
            local function lag(key, delivered, length, first, last, counter)
              if length == 0 or cmp(delivered, last) >= 0 then return 0, 1 end
              if cmp(delivered, first) < 0 then return length, 1 end
              local counted = #redis.call('xrange', key, '(' .. delivered, '+', 'COUNT', BOUND + 1)
              if counted <= BOUND then return counted, 1 end
              if type(counter) == 'number' and counter < length then return counter, 0 end
              return length, 0
            end
            """;

    private StreamLua() {
    }
}
