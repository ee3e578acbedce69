// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/** Base of every exception Runnel throws. Unchecked, like most Java frameworks'. */
public class RunnelException extends RuntimeException {
    public RunnelException(String message) {
        super(message);
    }

    public RunnelException(String message, Throwable cause) {
        super(message, cause);
    }
}
