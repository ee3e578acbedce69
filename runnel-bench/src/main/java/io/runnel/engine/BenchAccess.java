package io.runnel.engine;

import java.util.Map;
import java.util.function.Function;

/**
 * Lets the JMH benchmarks call a stream's record codec (serializer plus field mapping, or the
 * primitive field mapping), which the engine keeps package-private. It lives in
 * {@code runnel-bench}, in the engine's package, so the engine exposes nothing extra for the
 * sake of a benchmark; if the codec is renamed this class stops compiling, which is the
 * point.
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
}
