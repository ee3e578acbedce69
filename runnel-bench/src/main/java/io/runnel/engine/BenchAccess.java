// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.Map;
import java.util.function.Function;

/**
 * Lets the benchmarks call a stream's record codec (serializer plus field mapping, or the
 * primitive field mapping) and name the coordination keys, which the engine keeps
 * package-private. It lives in {@code runnel-bench}, in the engine's package, so the engine
 * exposes nothing extra for the sake of a benchmark; if the codec or the key layout is
 * renamed this class stops compiling, which is the point.
 */
public final class BenchAccess {
    private BenchAccess() {
    }

    /** Record to stream fields, exactly as {@code Stream.send} encodes it. */
    public static <T> Function<T, Map<String, byte[]>> encoder(Stream<T> stream) {
        RecordCodec<T> codec = stream.codec();
        return codec::encode;
    }

    /** Stream fields to record, exactly as {@code Events.records()} decodes them. */
    public static <T> Function<Map<String, byte[]>, T> decoder(Stream<T> stream) {
        RecordCodec<T> codec = stream.codec();
        return codec::decode;
    }

    /** A processor's membership record key, as the engine names it. */
    public static String membersKey(String app, String stream, String processor) {
        return Keys.members(app, stream, processor);
    }

    /** A partition lock key, as the engine names it. */
    public static String lockKey(String app, String stream, String processor, int partition) {
        return Keys.lock(app, stream, processor, partition);
    }

    /** The executor id in a partition lock's value, as the engine reads it. */
    public static String lockOwner(String lockValue) {
        return PartitionLocks.ownerOf(lockValue);
    }
}
