// SPDX-License-Identifier: Apache-2.0

package io.runnel.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import io.runnel.api.Compressor;
import io.runnel.api.SerializationException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Zstandard (RFC 8878) with zstd-jni, named {@code zstd}: better ratios than LZ4 at similar
 * decompression speed; the output is a standard zstd frame, readable by the {@code zstd}
 * tool and every zstd library. Select it with {@code default_compressor=zstd} or per stream
 * with {@code StreamOptions.compressor(new ZstdCompressor())}. Python runnel has no zstd
 * compressor: use {@link Lz4Compressor} or gzip for streams Python reads.
 *
 * <p>Reads any sequence of zstd frames (also ones written without a content size, by
 * streaming encoders). A payload that is not zstd, is truncated, fails its checksum or would
 * expand beyond {@link #maxDecompressedBytes()} is a {@link SerializationException}, which
 * the processor's exception policy handles.
 *
 * <p>Thread-safe: each call uses its own native context.
 */
public final class ZstdCompressor implements Compressor {

    /** Default bound on a decompressed payload: 512 MiB, Redis's own limit on a single value. */
    public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024;
    /** zstd's own default level. */
    public static final int DEFAULT_LEVEL = 3;

    private final int level;
    private final int maxDecompressedBytes;

    /** Level 3, zstd's default; the constructor {@link java.util.ServiceLoader} calls. */
    public ZstdCompressor() {
        this(DEFAULT_LEVEL, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /**
     * A compressor at a chosen level and size limit.
     *
     * @param level                compression level, from {@code Zstd.minCompressionLevel()} (negative:
     *                             fastest) to {@code Zstd.maxCompressionLevel()} (22: smallest)
     * @param maxDecompressedBytes largest payload {@link #decompress} returns; larger ones fail
     * @throws IllegalArgumentException if {@code level} is outside zstd's range or
     *                                  {@code maxDecompressedBytes} is not positive
     */
    public ZstdCompressor(int level, int maxDecompressedBytes) {
        if (level < Zstd.minCompressionLevel() || level > Zstd.maxCompressionLevel()) {
            throw new IllegalArgumentException("zstd level must be " + Zstd.minCompressionLevel() + " to "
                    + Zstd.maxCompressionLevel() + ", got " + level);
        }
        if (maxDecompressedBytes < 1) {
            throw new IllegalArgumentException("maxDecompressedBytes must be positive, got " + maxDecompressedBytes);
        }
        this.level = level;
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    @Override
    public String name() {
        return "zstd";
    }

    /**
     * The compression level.
     *
     * @return the level payloads are compressed at
     */
    public int level() {
        return level;
    }

    /**
     * The largest payload {@link #decompress} returns.
     *
     * @return the limit, in bytes
     */
    public int maxDecompressedBytes() {
        return maxDecompressedBytes;
    }

    @Override
    public byte[] compress(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        // One frame with the content size and a checksum, so corruption is detected rather than decoded.
        try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
            ctx.setLevel(level);
            ctx.setChecksum(true);
            ctx.setContentSize(true);
            return ctx.compress(bytes);
        }
    }

    @Override
    public byte[] decompress(byte[] bytes) throws SerializationException {
        if (bytes == null) {
            throw new SerializationException("cannot decompress zstd: no payload");
        }
        if (bytes.length == 0) {
            throw new SerializationException("cannot decompress zstd payload (0 bytes): empty payload");
        }
        try {
            byte[] oneFrame = decompressSingleFrame(bytes);
            if (oneFrame != null) {
                return oneFrame;
            }
            try (InputStream in = new ZstdInputStreamNoFinalizer(new ByteArrayInputStream(bytes))) {
                return Compressor.readBounded(in, "zstd", bytes.length, maxDecompressedBytes);
            }
        } catch (SerializationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot decompress zstd payload (" + bytes.length + " bytes): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    /**
     * The one-shot path for what {@link #compress} writes: a single frame that records its
     * content size. Opening a streaming decoder cost tens of microseconds per event for
     * small payloads. Returns null for anything else (several frames, no content size),
     * which the streaming path reads.
     */
    private byte[] decompressSingleFrame(byte[] bytes) {
        long size = Zstd.getFrameContentSize(bytes);
        if (size < 0 || Zstd.findFrameCompressedSize(bytes) != bytes.length) {
            return null; // unknown size, an error code, or more than one frame
        }
        if (size > maxDecompressedBytes) {
            throw new SerializationException("zstd payload (" + bytes.length + " bytes) expands beyond "
                    + maxDecompressedBytes + " bytes, the limit of this compressor");
        }
        // Zstd.decompress checks the frame's checksum and fails unless exactly size bytes come out.
        return Zstd.decompress(bytes, (int) size);
    }

    @Override
    public String toString() {
        return "ZstdCompressor[level=" + level + "]";
    }
}
