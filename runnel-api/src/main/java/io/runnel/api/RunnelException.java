// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/** Base of every exception Runnel throws. Unchecked, like most Java frameworks'. */
public class RunnelException extends RuntimeException {
    /**
     * A failure with no underlying cause.
     *
     * @param message what went wrong (never credentials)
     */
    public RunnelException(String message) {
        super(message);
    }

    /**
     * A failure caused by another.
     *
     * @param message what went wrong (never credentials)
     * @param cause   the underlying failure
     */
    public RunnelException(String message, Throwable cause) {
        super(message, cause);
    }
}
