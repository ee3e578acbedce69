// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A script over the keys of several partitions, in two forms.
 *
 * <p>For keys of one hash slot (always, on a single server) the keys are declared as
 * {@code KEYS}, as Redis asks. A Redis Cluster refuses a call whose declared keys lie in
 * several slots, even when one master serves them all; so the other form declares only the
 * first key, which routes the call to its master, and passes every key in {@code ARGV}
 * ahead of the arguments, under the {@code allow-cross-slot-keys} flag of Redis 7. The
 * master runs it only while it serves every slot the script touches; when the layout has
 * changed it refuses the run, and the caller runs the keys slot by slot instead.
 *
 * <p>The body sees its keys as {@code K} and its arguments as {@code ARGV[o + 1]},
 * {@code ARGV[o + 2]}, and so on, whichever form runs it.
 */
record FencedScript(LuaScript oneSlot, LuaScript acrossSlots) {

    /**
     * @param body  the script, reading keys from {@code K} and arguments from {@code ARGV[o + i]}
     * @param flags the flags of the cross-slot form besides {@code allow-cross-slot-keys}
     */
    static FencedScript of(String body, String flags) {
        return new FencedScript(new LuaScript("local K, o = KEYS, 0\n" + body, true),
                new LuaScript("#!lua flags=allow-cross-slot-keys," + flags + "\n"
                        + "local o = tonumber(ARGV[1]) + 1\n"
                        + "local K = {}\n"
                        + "for i = 2, o do\n"
                        + "  K[i - 1] = ARGV[i]\n"
                        + "end\n" + body, true));
    }

    /** The form that runs keys spread over several slots of one master (on a cluster), or the one-slot form. */
    LuaScript form(boolean acrossSlots) {
        return acrossSlots ? this.acrossSlots : oneSlot;
    }

    /** A run of {@link #form(boolean)}: its keys declared, or carried in ARGV with the first declared. */
    static LuaScript.Run run(boolean acrossSlots, List<String> keys, List<byte[]> args) {
        if (!acrossSlots) {
            return new LuaScript.Run(keys, args);
        }
        List<byte[]> all = new ArrayList<>(1 + keys.size() + args.size());
        all.add(Integer.toString(keys.size()).getBytes(StandardCharsets.UTF_8));
        for (String key : keys) {
            all.add(key.getBytes(StandardCharsets.UTF_8));
        }
        all.addAll(args);
        return new LuaScript.Run(List.of(keys.get(0)), all);
    }
}
