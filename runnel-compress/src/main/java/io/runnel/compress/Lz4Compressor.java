// SPDX-License-Identifier: Apache-2.0

package io.runnel.compress;

import io.runnel.api.Compressor;
import io.runnel.api.SerializationException;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

import java.util.Objects;

/**
 * LZ4 in the standard <em>frame</em> format, named {@code lz4}: the format of Python's
 * {@code lz4.frame} (used by Python runnel's {@code runnel.compression.LZ4}) and of the
 * {@code lz4} command line tool, so Java and Python runnel read each other's compressed
 * streams. Select it with {@code default_compressor=lz4} or per stream with
 * {@code StreamOptions.compressor(new Lz4Compressor())}.
 *
 * <p>Writes one frame of independent 64 KiB blocks with the content size and a content
 * checksum (so corruption is detected, not decoded into garbage). Reads any frame without
 * a dictionary, including the linked blocks Python writes for payloads over 64 KiB and
 * concatenated frames. Anything else — not LZ4, truncated, a checksum mismatch, or more than
 * {@link #maxDecompressedBytes()} once expanded — is a {@link SerializationException}, which
 * the processor's exception policy handles.
 *
 * <p>Thread-safe and stateless.
 */
public final class Lz4Compressor implements Compressor {

    /** Default bound on a decompressed payload: 512 MiB, Redis's own limit on a single value. */
    public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024;

    private static final XXHash32 XXHASH = XXHashFactory.fastestInstance().hash32();

    private final int level;
    private final int maxDecompressedBytes;
    private final net.jpountz.lz4.LZ4Compressor compressor;

    /** The fast compressor (Python's {@code lz4.frame} default); the constructor {@link java.util.ServiceLoader} calls. */
    public Lz4Compressor() {
        this(0, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /**
     * A compressor at a chosen level and size limit.
     *
     * @param level                0 for the fast compressor, 1 to 17 for LZ4 HC (smaller, slower to
     *                             compress; decompression is as fast)
     * @param maxDecompressedBytes largest payload {@link #decompress} returns; larger ones fail
     * @throws IllegalArgumentException if {@code level} is outside 0 to 17 or
     *                                  {@code maxDecompressedBytes} is not positive
     */
    public Lz4Compressor(int level, int maxDecompressedBytes) {
        if (level < 0 || level > 17) {
            throw new IllegalArgumentException("lz4 level must be 0 (fast) or 1 to 17 (HC), got " + level);
        }
        if (maxDecompressedBytes < 1) {
            throw new IllegalArgumentException("maxDecompressedBytes must be positive, got " + maxDecompressedBytes);
        }
        this.level = level;
        this.maxDecompressedBytes = maxDecompressedBytes;
        LZ4Factory factory = LZ4Factory.fastestInstance();
        this.compressor = level == 0 ? factory.fastCompressor() : factory.highCompressor(level);
    }

    @Override
    public String name() {
        return "lz4";
    }

    /**
     * The compression level.
     *
     * @return 0 for the fast compressor, 1 to 17 for LZ4 HC
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
        return Lz4Frame.encode(bytes, compressor, XXHASH);
    }

    @Override
    public byte[] decompress(byte[] bytes) throws SerializationException {
        if (bytes == null) {
            throw new SerializationException("cannot decompress LZ4: no payload");
        }
        try {
            return Lz4Frame.decode(bytes, maxDecompressedBytes, XXHASH);
        } catch (SerializationException e) {
            throw e;
        } catch (RuntimeException e) {
            // Lz4Frame checks every bound itself; this is only a backstop.
            throw new SerializationException("cannot decompress LZ4 payload (" + bytes.length + " bytes): " + e, e);
        }
    }

    @Override
    public String toString() {
        return "Lz4Compressor[level=" + level + "]";
    }
}
