// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Objects;

/**
 * A field of a state hash as {@link Transport#stateValues} read it: its value, and when it
 * expires.
 *
 * @param value     the value, as stored
 * @param expiresAt when it expires, epoch millis; 0 when it does not
 */
public record StateValue(byte[] value, long expiresAt) {
    /**
     * Checks the value.
     *
     * @throws NullPointerException if {@code value} is null
     */
    public StateValue {
        Objects.requireNonNull(value, "value");
    }
}
