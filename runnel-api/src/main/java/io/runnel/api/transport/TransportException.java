// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import io.runnel.api.RunnelException;

/**
 * The server could not be reached or refused a command. Messages never contain
 * credentials: build them from {@link ConnectionUrl#redacted()}.
 */
public class TransportException extends RunnelException {
    public TransportException(String message) {
        super(message);
    }

    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
