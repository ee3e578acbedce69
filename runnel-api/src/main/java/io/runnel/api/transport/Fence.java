// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Objects;

/**
 * Proof of ownership that the server checks: a lock key and the token its holder wrote into
 * it when it took the lock. A fenced command takes effect only while the lock still holds
 * exactly that token, checked and applied atomically on the server, so a holder whose lock
 * expired or was taken over (a frozen process, a late reply) can no longer act through it.
 *
 * @param lockKey the lock's key
 * @param token   the value written into the lock at acquisition; unique per acquisition
 */
public record Fence(String lockKey, String token) {
    /**
     * Checks that both parts are there.
     *
     * @throws NullPointerException if {@code lockKey} or {@code token} is null
     */
    public Fence {
        Objects.requireNonNull(lockKey, "lockKey");
        Objects.requireNonNull(token, "token");
    }
}
