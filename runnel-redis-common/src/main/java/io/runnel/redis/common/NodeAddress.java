// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import java.util.Objects;

/**
 * A Redis node's address, as both transports name a cluster's nodes to the engine
 * ({@code Transport.nodeOf}) and in messages: {@code host:port}, with an IPv6 host in
 * brackets ({@code [::1]:7000}) so that the port stays readable.
 *
 * @param host a host name or an IP address, without brackets
 * @param port the client port
 */
public record NodeAddress(String host, int port) {

    /**
     * Checks that the host is there.
     *
     * @throws NullPointerException if {@code host} is null
     */
    public NodeAddress {
        Objects.requireNonNull(host, "host");
    }

    /**
     * Reads {@code host:port}, {@code [v6]:port}, or an IPv6 address and port without brackets
     * as Redis writes them in a {@code MOVED} or {@code ASK} reply ({@code ::1:7000}): the port
     * is what follows the last colon.
     *
     * @param text the address as written
     * @return the address, its host without brackets
     * @throws IllegalArgumentException if there is no port
     */
    public static NodeAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("not a host:port address: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new NodeAddress(host, Integer.parseInt(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a host:port address: " + text, e);
        }
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
