// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Compresses serialized payloads, chosen per stream. Implementations must be thread-safe;
 * a payload that fails to decompress throws {@link SerializationException}.
 */
public interface Compressor {

    /**
     * Name used in settings, e.g. {@code gzip}.
     *
     * @return the name, lower case, unique among the compressors on the classpath
     */
    String name();

    /**
     * Compresses one serialized payload.
     *
     * @param bytes the payload (not modified)
     * @return the compressed payload, which {@link #decompress(byte[])} turns back into
     *         {@code bytes}
     */
    byte[] compress(byte[] bytes);

    /**
     * Restores a payload that {@link #compress(byte[])} produced.
     *
     * @param bytes the compressed payload (not modified)
     * @return the original payload
     * @throws SerializationException if {@code bytes} is not a valid payload of this format,
     *                                or expands beyond the compressor's size limit
     */
    byte[] decompress(byte[] bytes) throws SerializationException;

    /**
     * Reads a decompressing stream to its end, failing as soon as the output would exceed
     * {@code maxBytes}: a small corrupt or hostile payload must not expand until the heap
     * is gone. For implementations whose library decompresses through an {@link InputStream}.
     *
     * @param in               the decompressing stream, read to its end (not closed)
     * @param format           the format's name, for the message (e.g. {@code gzip})
     * @param compressedLength the payload's size, to size the output buffer and for the message
     * @param maxBytes         the most bytes the output may hold
     * @return the decompressed bytes
     * @throws SerializationException if the output would exceed {@code maxBytes}
     * @throws IOException            what the stream throws (a corrupt payload)
     */
    static byte[] readBounded(InputStream in, String format, int compressedLength, int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(maxBytes, Math.max(256L, compressedLength * 4L)));
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n; (n = in.read(buffer)) != -1; ) {
            total += n;
            if (total > maxBytes) {
                throw new SerializationException(format + " payload (" + compressedLength + " bytes) expands beyond "
                        + maxBytes + " bytes, the limit of this compressor");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
