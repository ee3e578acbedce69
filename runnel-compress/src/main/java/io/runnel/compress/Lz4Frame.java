// SPDX-License-Identifier: Apache-2.0

package io.runnel.compress;

import io.runnel.api.SerializationException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.xxhash.XXHash32;

import java.util.Arrays;

/**
 * The LZ4 frame format (lz4_Frame_format.md, v1.6): what the {@code lz4} command line tool
 * and Python's {@code lz4.frame} write and read.
 *
 * <p>Writing produces one frame of independent 64 KiB blocks with the content size and a
 * content checksum, readable by every frame decoder including lz4-java's
 * {@code LZ4FrameInputStream}. Reading accepts every frame the format allows except those
 * needing a dictionary: independent <em>and linked</em> blocks (Python's
 * {@code lz4.frame.compress} links the blocks of any payload over 64 KiB, which
 * {@code LZ4FrameInputStream} rejects), block and content checksums, the content size,
 * concatenated frames and skippable frames. Blocks are decoded by a bounds-checked,
 * pure-Java decoder, so a malicious payload can at worst fail with a
 * {@link SerializationException}; lz4-java's decompressors (whose native and unsafe
 * variants were behind CVE-2025-12183 up to org.lz4 1.8.0) are never given untrusted input.
 */
final class Lz4Frame {
    static final int MAGIC = 0x184D2204;
    private static final int SKIPPABLE_MAGIC_MASK = 0xFFFFFFF0;
    private static final int SKIPPABLE_MAGIC = 0x184D2A50;
    private static final int LEGACY_MAGIC = 0x184C2102;

    private static final int FLG_VERSION_MASK = 0xC0;
    private static final int FLG_VERSION_01 = 0x40;
    private static final int FLG_BLOCK_INDEPENDENCE = 0x20;
    private static final int FLG_BLOCK_CHECKSUM = 0x10;
    private static final int FLG_CONTENT_SIZE = 0x08;
    private static final int FLG_CONTENT_CHECKSUM = 0x04;
    private static final int FLG_RESERVED = 0x02;
    private static final int FLG_DICT_ID = 0x01;
    private static final int BD_RESERVED = 0x8F;

    /** Block size of frames we write: the format's smallest, and Python's default. */
    static final int BLOCK_SIZE = 64 * 1024;
    private static final int BD_64KB = 4 << 4;
    private static final int UNCOMPRESSED_BIT = 0x80000000;
    private static final int MIN_MATCH = 4;
    /** LZ4's largest possible expansion is about 255:1; used only to size the first buffer. */
    private static final long MAX_RATIO = 256;

    private Lz4Frame() {
    }

    // ------------------------------------------------------------------ writing

    static byte[] encode(byte[] src, LZ4Compressor compressor, XXHash32 xxhash) {
        int blocks = (src.length + BLOCK_SIZE - 1) / BLOCK_SIZE;
        // header (magic, FLG, BD, content size, HC) + per block its size and at most its raw bytes + end mark + checksum
        long bound = 4 + 2 + 8 + 1 + 4L * blocks + src.length + 4 + 4;
        if (bound > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("payload of " + src.length + " bytes is too large to compress into one array");
        }
        byte[] out = new byte[(int) bound];
        int p = putIntLE(out, 0, MAGIC);
        int descriptor = p;
        out[p++] = (byte) (FLG_VERSION_01 | FLG_BLOCK_INDEPENDENCE | FLG_CONTENT_SIZE | FLG_CONTENT_CHECKSUM);
        out[p++] = (byte) BD_64KB;
        p = putLongLE(out, p, src.length);
        out[p] = (byte) (xxhash.hash(out, descriptor, p - descriptor, 0) >>> 8);
        p++;
        byte[] scratch = new byte[compressor.maxCompressedLength(Math.min(src.length, BLOCK_SIZE))];
        for (int off = 0; off < src.length; off += BLOCK_SIZE) {
            int len = Math.min(BLOCK_SIZE, src.length - off);
            int compressed = compressor.compress(src, off, len, scratch, 0, scratch.length);
            if (compressed < len) {
                p = putIntLE(out, p, compressed);
                System.arraycopy(scratch, 0, out, p, compressed);
                p += compressed;
            } else {
                // Incompressible: stored as is, flagged by the size's high bit.
                p = putIntLE(out, p, len | UNCOMPRESSED_BIT);
                System.arraycopy(src, off, out, p, len);
                p += len;
            }
        }
        p = putIntLE(out, p, 0);
        p = putIntLE(out, p, xxhash.hash(src, 0, src.length, 0));
        return p == out.length ? out : Arrays.copyOf(out, p);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Decodes every frame of {@code src} (skipping skippable frames) into one payload.
     *
     * @throws SerializationException if it is not LZ4 frames, is truncated or corrupt, fails
     *                                a checksum, or expands beyond {@code maxBytes}
     */
    static byte[] decode(byte[] src, int maxBytes, XXHash32 xxhash) {
        if (src.length == 0) {
            throw corrupt(src, "empty payload");
        }
        Output out = new Output(maxBytes);
        int p = 0;
        boolean frames = false;
        while (p < src.length) {
            if (frames && src.length - p < 4) {
                throw corrupt(src, "unexpected bytes after the last frame");
            }
            need(src, p, 4, "a frame magic number");
            int magic = intLE(src, p);
            p += 4;
            if (magic == MAGIC) {
                p = decodeFrame(src, p, out, xxhash);
                frames = true;
            } else if ((magic & SKIPPABLE_MAGIC_MASK) == SKIPPABLE_MAGIC) {
                need(src, p, 4, "a skippable frame size");
                long size = intLE(src, p) & 0xFFFFFFFFL;
                p += 4;
                if (size > src.length - p) {
                    throw corrupt(src, "skippable frame of " + size + " bytes runs past the end");
                }
                p += (int) size;
            } else if (magic == LEGACY_MAGIC) {
                throw corrupt(src, "legacy LZ4 format (lz4 -l) is not supported; use the frame format");
            } else {
                throw corrupt(src, frames ? "unexpected bytes after the last frame"
                        : String.format("not an LZ4 frame (magic number 0x%08X, expected 0x%08X)", magic, MAGIC));
            }
        }
        if (!frames) {
            throw corrupt(src, "no LZ4 frame, only skippable frames");
        }
        return out.toByteArray();
    }

    private static int decodeFrame(byte[] src, int p, Output out, XXHash32 xxhash) {
        need(src, p, 3, "a frame descriptor");
        int descriptor = p;
        int flg = src[p++] & 0xFF;
        int bd = src[p++] & 0xFF;
        if ((flg & FLG_VERSION_MASK) != FLG_VERSION_01) {
            throw corrupt(src, "unsupported frame version " + (flg >>> 6));
        }
        if ((flg & FLG_RESERVED) != 0 || (bd & BD_RESERVED) != 0) {
            throw corrupt(src, "reserved bits set in the frame descriptor");
        }
        if ((flg & FLG_DICT_ID) != 0) {
            throw corrupt(src, "frame needs a dictionary, which this compressor does not have");
        }
        int blockSizeId = (bd >>> 4) & 7;
        if (blockSizeId < 4) {
            throw corrupt(src, "invalid block maximum size id " + blockSizeId);
        }
        int blockMax = 1 << (8 + 2 * blockSizeId);
        long contentSize = -1;
        if ((flg & FLG_CONTENT_SIZE) != 0) {
            need(src, p, 9, "the content size");
            contentSize = longLE(src, p);
            p += 8;
        }
        need(src, p, 1, "the header checksum");
        int expectedHc = src[p] & 0xFF;
        int hc = (xxhash.hash(src, descriptor, p - descriptor, 0) >>> 8) & 0xFF;
        if (hc != expectedHc) {
            throw corrupt(src, "frame header checksum mismatch");
        }
        p++;
        if (contentSize < 0 && (flg & FLG_CONTENT_SIZE) != 0 || contentSize > out.max - out.size) {
            throw tooLarge(src, out.max);
        }
        int frameStart = out.size;
        if (contentSize > 0) {
            out.reserve(out.size + (int) Math.min(contentSize, src.length * MAX_RATIO));
        }
        boolean independent = (flg & FLG_BLOCK_INDEPENDENCE) != 0;
        boolean blockChecksum = (flg & FLG_BLOCK_CHECKSUM) != 0;
        while (true) {
            need(src, p, 4, "a block size or the end mark");
            int word = intLE(src, p);
            p += 4;
            if (word == 0) {
                break;
            }
            int len = word & ~UNCOMPRESSED_BIT;
            if (len > blockMax) {
                throw corrupt(src, "block of " + len + " bytes exceeds the frame's maximum " + blockMax);
            }
            need(src, p, len + (blockChecksum ? 4 : 0), "a block of " + len + " bytes");
            if (blockChecksum && xxhash.hash(src, p, len, 0) != intLE(src, p + len)) {
                throw corrupt(src, "block checksum mismatch");
            }
            if ((word & UNCOMPRESSED_BIT) != 0) {
                out.append(src, p, len);
            } else {
                decodeBlock(src, p, len, out, independent ? out.size : frameStart, blockMax);
            }
            p += len + (blockChecksum ? 4 : 0);
        }
        int produced = out.size - frameStart;
        if ((flg & FLG_CONTENT_CHECKSUM) != 0) {
            need(src, p, 4, "the content checksum");
            if (xxhash.hash(out.buf, frameStart, produced, 0) != intLE(src, p)) {
                throw corrupt(src, "content checksum mismatch");
            }
            p += 4;
        }
        if (contentSize >= 0 && contentSize != produced) {
            throw corrupt(src, "frame declares " + contentSize + " bytes of content but holds " + produced);
        }
        return p;
    }

    /**
     * One LZ4 block (lz4_Block_format.md): sequences of literals and back-references.
     *
     * @param lowest the earliest output position a match may refer to: the block's start
     *               for independent blocks, the frame's start for linked ones
     */
    private static void decodeBlock(byte[] src, int p, int len, Output out, int lowest, int blockMax) {
        int end = p + len;
        int blockEnd = out.size + blockMax;
        while (true) {
            int token = src[p++] & 0xFF;
            int literals = token >>> 4;
            if (literals == 15) {
                int b;
                do {
                    if (p >= end) {
                        throw corrupt(src, "block ends inside a literal length");
                    }
                    b = src[p++] & 0xFF;
                    literals += b;
                } while (b == 255 && literals <= blockMax);
            }
            if (literals > end - p) {
                throw corrupt(src, "literals run past the end of the block");
            }
            if (literals > blockEnd - out.size) {
                throw corrupt(src, "block decodes to more than its maximum size " + blockMax);
            }
            out.append(src, p, literals);
            p += literals;
            if (p == end) {
                return; // the last sequence has literals only
            }
            if (end - p < 2) {
                throw corrupt(src, "block ends inside a match offset");
            }
            int offset = (src[p] & 0xFF) | (src[p + 1] & 0xFF) << 8;
            p += 2;
            if (offset == 0 || offset > out.size - lowest) {
                throw corrupt(src, "match offset " + offset + " points before the start of the data");
            }
            int matchLength = token & 15;
            if (matchLength == 15) {
                int b;
                do {
                    if (p >= end) {
                        throw corrupt(src, "block ends inside a match length");
                    }
                    b = src[p++] & 0xFF;
                    matchLength += b;
                } while (b == 255 && matchLength <= blockMax);
            }
            matchLength += MIN_MATCH;
            if (matchLength > blockEnd - out.size) {
                throw corrupt(src, "block decodes to more than its maximum size " + blockMax);
            }
            out.copyMatch(offset, matchLength);
            if (p >= end) {
                throw corrupt(src, "block ends with a match instead of literals");
            }
        }
    }

    /** The decompressed bytes, grown on demand up to a bound. */
    private static final class Output {
        final int max;
        byte[] buf = new byte[0];
        int size;

        Output(int max) {
            this.max = max;
        }

        /** Grows the buffer to {@code capacity} (at most {@code max}) bytes at once. */
        void reserve(int capacity) {
            if (capacity > buf.length) {
                buf = Arrays.copyOf(buf, Math.min(capacity, max));
            }
        }

        private void ensure(int extra) {
            long needed = (long) size + extra;
            if (needed > max) {
                throw new SerializationException("LZ4 payload expands beyond " + max + " bytes, the limit of this compressor");
            }
            if (needed > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max(needed, Math.max(256L, buf.length * 2L))));
            }
        }

        void append(byte[] src, int off, int len) {
            ensure(len);
            System.arraycopy(src, off, buf, size, len);
            size += len;
        }

        /** Copies {@code length} bytes starting {@code offset} back; overlapping copies repeat the pattern, as LZ4 means. */
        void copyMatch(int offset, int length) {
            ensure(length);
            int from = size - offset;
            if (offset >= length) {
                System.arraycopy(buf, from, buf, size, length);
            } else {
                for (int i = 0; i < length; i++) {
                    buf[size + i] = buf[from + i];
                }
            }
            size += length;
        }

        byte[] toByteArray() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void need(byte[] src, int p, int n, String what) {
        if (n < 0 || p > src.length - n) {
            throw corrupt(src, "truncated: expected " + what + " at byte " + p);
        }
    }

    private static SerializationException corrupt(byte[] src, String reason) {
        return new SerializationException("cannot decompress LZ4 payload (" + src.length + " bytes): " + reason);
    }

    private static SerializationException tooLarge(byte[] src, int max) {
        return corrupt(src, "content size exceeds " + max + " bytes, the limit of this compressor");
    }

    private static int intLE(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }

    private static long longLE(byte[] b, int p) {
        return (intLE(b, p) & 0xFFFFFFFFL) | (long) intLE(b, p + 4) << 32;
    }

    private static int putIntLE(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
        return p + 4;
    }

    private static int putLongLE(byte[] b, int p, long v) {
        putIntLE(b, p, (int) v);
        return putIntLE(b, p + 4, (int) (v >>> 32));
    }
}
