// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.List;
import java.util.Objects;

/**
 * Acknowledgements of one stream's entries that count only while {@code fence} holds.
 *
 * @param fence the lock that must still hold its token
 * @param key   the stream key
 * @param ids   the entry ids to acknowledge
 */
public record FencedAck(Fence fence, String key, List<String> ids) {
    /**
     * Checks the parts and copies {@code ids}.
     *
     * @throws NullPointerException if {@code fence}, {@code key} or {@code ids} is null
     */
    public FencedAck {
        Objects.requireNonNull(fence, "fence");
        Objects.requireNonNull(key, "key");
        ids = List.copyOf(ids);
    }
}
