// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Objects;

/**
 * A server's host and port as a URL names it, never with credentials: what tracing reports as
 * {@code server.address} and {@code server.port}.
 *
 * @param host a host name or IP address (an IPv6 address without brackets)
 * @param port the port, the scheme's default when the URL names none
 */
public record ServerAddress(String host, int port) {
    /** Checks the parts. */
    public ServerAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a server address: " + host + " port " + port);
        }
    }
}
