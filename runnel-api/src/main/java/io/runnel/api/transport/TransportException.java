// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import io.runnel.api.RunnelException;

/**
 * The server could not be reached or refused a command. Messages never contain
 * credentials: build them from {@link ConnectionUrl#redacted()}.
 */
public class TransportException extends RunnelException {
    /**
     * A failure with no client exception behind it.
     *
     * @param message the failure, naming the server (never its credentials)
     */
    public TransportException(String message) {
        super(message);
    }

    /**
     * A failure the client library reported.
     *
     * @param message the failure, naming the server (never its credentials)
     * @param cause   the client's exception
     */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
