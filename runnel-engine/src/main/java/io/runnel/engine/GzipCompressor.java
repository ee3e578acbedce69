// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Compressor;
import io.runnel.api.SerializationException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Standard gzip (RFC 1952) with the JDK's zlib, named {@code gzip}: what Python's
 * {@code gzip.compress} writes and {@code gzip.decompress} reads, so it is the same format as
 * Python runnel's {@code runnel.compression.Gzip}. Select it with
 * {@code default_compressor=gzip} or per stream with
 * {@code StreamOptions.compressor(new GzipCompressor())}.
 *
 * <p>Thread-safe and stateless: every call has its own deflater or inflater. Decompression
 * reads concatenated gzip members as one payload (as Python does) and stops with a
 * {@link SerializationException} for anything that is not gzip, is truncated, fails its
 * CRC, or would expand beyond {@link #maxDecompressedBytes()} (a guard against
 * decompression bombs).
 */
public final class GzipCompressor implements Compressor {

    /** Default bound on a decompressed payload: 512 MiB, Redis's own limit on a single value. */
    public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 512 * 1024 * 1024;

    private final int level;
    private final int maxDecompressedBytes;

    /** Level 6 (zlib's default balance of speed and size); the constructor {@link java.util.ServiceLoader} calls. */
    public GzipCompressor() {
        this(6);
    }

    /**
     * A compressor at a chosen level, with the default size limit.
     *
     * @param level 0 (store) to 9 (smallest; Python's {@code gzip.compress} default)
     * @throws IllegalArgumentException if {@code level} is outside 0 to 9
     */
    public GzipCompressor(int level) {
        this(level, DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /**
     * A compressor at a chosen level and size limit.
     *
     * @param level                0 (store) to 9 (smallest)
     * @param maxDecompressedBytes largest payload {@link #decompress} returns; larger ones fail
     * @throws IllegalArgumentException if {@code level} is outside 0 to 9 or
     *                                  {@code maxDecompressedBytes} is not positive
     */
    public GzipCompressor(int level, int maxDecompressedBytes) {
        if (level < Deflater.NO_COMPRESSION || level > Deflater.BEST_COMPRESSION) {
            throw new IllegalArgumentException("gzip level must be 0 to 9, got " + level);
        }
        if (maxDecompressedBytes < 1) {
            throw new IllegalArgumentException("maxDecompressedBytes must be positive, got " + maxDecompressedBytes);
        }
        this.level = level;
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    @Override
    public String name() {
        return "gzip";
    }

    /**
     * The compression level.
     *
     * @return 0 (store) to 9 (smallest)
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 2 + 64);
        try (GZIPOutputStream gzip = new LeveledGzipOutputStream(out, level)) {
            gzip.write(bytes);
        } catch (IOException e) {
            // A ByteArrayOutputStream never fails.
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public byte[] decompress(byte[] bytes) throws SerializationException {
        if (bytes == null) {
            throw new SerializationException("cannot gunzip: no payload");
        }
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes), 8192)) {
            return Compressor.readBounded(in, "gzip", bytes.length, maxDecompressedBytes);
        } catch (SerializationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot gunzip payload (" + bytes.length + " bytes): "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
        }
    }

    @Override
    public String toString() {
        return "GzipCompressor[level=" + level + "]";
    }

    /** GZIPOutputStream with its own deflater's level (the header it writes does not depend on it). */
    private static final class LeveledGzipOutputStream extends GZIPOutputStream {
        LeveledGzipOutputStream(OutputStream out, int level) throws IOException {
            super(out, 8192);
            def.setLevel(level);
        }
    }
}
