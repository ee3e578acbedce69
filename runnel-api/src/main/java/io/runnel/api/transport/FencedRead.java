package io.runnel.api.transport;

import java.util.List;
import java.util.Objects;

/**
 * One stream of a fenced consumer-group read: read {@code key} after {@code afterId}
 * ({@code ">"} for entries new to the group, or an id to re-read pending ones) only while
 * {@code fence} holds.
 *
 * @param fence   the lock that must still hold its token
 * @param key     the stream key
 * @param afterId {@code ">"} or an explicit id
 */
public record FencedRead(Fence fence, String key, String afterId) {
    public FencedRead {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(afterId, "afterId");
    }

    /**
     * What a fenced read found for one stream.
     *
     * @param held     whether the fence held; when it did not, nothing was read and the
     *                 group's state is untouched
     * @param entries  the entries read (trimmed pending entries come without fields)
     * @param newestId when a {@code ">"} read found nothing: the id of the stream's newest
     *                 entry ({@code "0-0"} if it has none), after which to wait for more;
     *                 otherwise null
     */
    public record Result(boolean held, List<StreamEntry> entries, String newestId) {
        /** The answer for a stream whose fence no longer held. */
        public static final Result NOT_HELD = new Result(false, List.of(), null);
    }
}
