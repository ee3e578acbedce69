// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.List;
import java.util.Objects;

/**
 * One stream of a fenced consumer-group read: read {@code key} after {@code afterId}
 * ({@code ">"} for entries new to the group, or an id to re-read the reader's own pending
 * ones) as the holder of {@code fence}.
 *
 * @param fence   the lock that must still hold its token
 * @param key     the stream key
 * @param afterId {@code ">"} or an explicit id
 */
public record FencedRead(Fence fence, String key, String afterId) {
    /**
     * Checks that every part is there.
     *
     * @throws NullPointerException if {@code fence}, {@code key} or {@code afterId} is null
     */
    public FencedRead {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(afterId, "afterId");
    }

    /**
     * The fence token every stream of one fenced read carries (a read names one consumer,
     * the token).
     *
     * @param reads the streams of one fenced read
     * @return the token they all carry
     * @throws IllegalArgumentException if {@code reads} is empty or carries different tokens
     */
    public static String commonToken(List<FencedRead> reads) {
        if (reads.isEmpty()) {
            throw new IllegalArgumentException("a fenced read needs at least one stream");
        }
        String token = reads.get(0).fence().token();
        for (FencedRead r : reads) {
            if (!r.fence().token().equals(token)) {
                throw new IllegalArgumentException("a fenced read takes streams of one token, got " + token + " and "
                        + r.fence().token());
            }
        }
        return token;
    }

    /**
     * What a fenced read found for one stream.
     *
     * @param held    whether the fence still held after the read; when it did not, the
     *                entries are not given (they stay pending under the fence's token,
     *                where the lock's holder claims them)
     * @param entries in id order: entries other consumers of the group held, now claimed
     *                for the reader, and the entries read (trimmed pending entries of the
     *                reader's own come without fields)
     */
    public record Result(boolean held, List<StreamEntry> entries) {
        /** The answer for a stream whose fence no longer held. */
        public static final Result NOT_HELD = new Result(false, List.of());

        /**
         * Copies {@code entries}.
         *
         * @throws NullPointerException if {@code entries} is null
         */
        public Result {
            entries = List.copyOf(entries);
        }
    }
}
