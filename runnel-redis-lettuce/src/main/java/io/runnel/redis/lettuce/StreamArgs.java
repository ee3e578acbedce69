// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.Limit;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.runnel.api.transport.TransportArgs;
import java.time.Duration;
import java.util.Map;

/** The Transport's stream-read arguments as Lettuce takes them. */
final class StreamArgs {

    private StreamArgs() {
    }

    /** COUNT and BLOCK of an XREAD or XREADGROUP, each when asked for. */
    static XReadArgs readArgs(int count, Duration block) {
        XReadArgs args = new XReadArgs();
        if (TransportArgs.hasLimit(count)) {
            args.count(count);
        }
        if (TransportArgs.isBlocking(block)) {
            args.block(TransportArgs.blockMillis(block));
        }
        return args;
    }

    /** One offset per stream, in the map's order. */
    static StreamOffset<String>[] offsets(Map<String, String> idsByKey) {
        return idsByKey.entrySet().stream()
                .map(e -> StreamOffset.from(e.getKey(), e.getValue()))
                .toList()
                .toArray(StreamArgs.<StreamOffset<String>>arrayOf());
    }

    static Limit limit(int count) {
        return TransportArgs.hasLimit(count) ? Limit.from(count) : Limit.unlimited();
    }

    /** Lettuce takes stream offsets as generic varargs; this builds the array without raw types. */
    @SafeVarargs
    @SuppressWarnings("varargs") // the array is only handed straight to Lettuce, never written to
    static <T> T[] arrayOf(T... items) {
        return items;
    }
}
