// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.Optional;

/**
 * A server address such as {@code redis://user:secret@host:6379/0}. It keeps the original
 * text for the client library but only ever shows the redacted form, so credentials do not
 * leak into logs, exception messages or {@code toString()}.
 */
public final class ConnectionUrl {
    private final String value;
    private final URI uri;
    private final String rawAuthority;

    private ConnectionUrl(String value, URI uri, String rawAuthority) {
        this.value = value;
        this.uri = uri;
        this.rawAuthority = rawAuthority;
    }

    /**
     * Parses a URL. Its authority may list several hosts, as Sentinel and Cluster URLs do
     * ({@code redis-cluster://h1:7000,[::1]:7001}), which {@link URI} alone refuses when a
     * host is an IPv6 address.
     *
     * @param value the URL as written, credentials included
     * @return the parsed URL
     * @throws IllegalArgumentException naming only the redacted URL when it is malformed
     */
    public static ConnectionUrl parse(String value) {
        Objects.requireNonNull(value, "url");
        String authority = authorityOf(value);
        if (authority == null && looksLikeHostAndPort(value)) {
            // Without "://", URI reads "localhost:6379" as scheme "localhost": say what is missing instead.
            throw new IllegalArgumentException("URL has no scheme: " + redact(value) + " (write redis://" + redact(value)
                    + ", or rediss://, redis-sentinel://, redis-cluster://, memory://)");
        }
        try {
            URI uri = uriOf(value, authority);
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("URL has no scheme (expected e.g. redis://host:port): "
                        + redact(value));
            }
            ConnectionUrl url = new ConnectionUrl(value, uri, authority != null ? authority : uri.getRawAuthority());
            url.checkPorts();
            return url;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed URL: " + redact(value));
        }
    }

    /**
     * Whether a text without {@code ://} is a server's address rather than an opaque URL
     * ({@code memory:shop}): what follows its first colon is a port, or it has credentials.
     */
    private static boolean looksLikeHostAndPort(String value) {
        int colon = value.indexOf(':');
        String rest = colon < 0 ? "" : value.substring(colon + 1);
        return value.indexOf('@') >= 0 || rest.matches("\\d+(/.*)?");
    }

    /**
     * The URI of the text; for several hosts that {@link URI} refuses (IPv6 literals among
     * them), the URI of the text with a placeholder in place of its hosts: the other parts
     * are checked as URI reads them, and the hosts are the client's to read.
     */
    private static URI uriOf(String value, String authority) throws URISyntaxException {
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            if (authority == null || authority.indexOf(',') < 0) {
                throw e;
            }
            int start = value.indexOf("://") + 3;
            return new URI(value.substring(0, start) + "hosts" + value.substring(start + authority.length()));
        }
    }

    /** The text between {@code ://} and the path, query or fragment; null without {@code ://}. */
    private static String authorityOf(String value) {
        int scheme = value.indexOf("://");
        if (scheme < 0) {
            return null;
        }
        int end = scheme + 3;
        while (end < value.length() && "/?#".indexOf(value.charAt(end)) < 0) {
            end++;
        }
        return value.substring(scheme + 3, end);
    }

    /**
     * The authority as written, credentials included ({@code user:secret@h1:7000,h2:7001}):
     * hand it to the client library only. For a URL listing several hosts that
     * {@link URI} cannot read (IPv6 literals), {@link #uri()} has a placeholder in its place.
     *
     * @return the authority, or null when the URL has none ({@code memory:shop})
     */
    public String rawAuthority() {
        return rawAuthority;
    }

    /**
     * Lower-case scheme, e.g. {@code redis}, {@code rediss}, {@code memory}.
     *
     * @return the scheme, lower case
     */
    public String scheme() {
        return uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Whether the URL names a Redis Cluster ({@code redis-cluster://}, {@code rediss-cluster://},
     * its nodes comma-separated as seeds): the engine lays keys out for it, and the Redis
     * transports open a cluster client.
     *
     * @return true for a {@code redis-cluster://} or {@code rediss-cluster://} URL
     */
    public boolean cluster() {
        String scheme = scheme();
        return scheme.equals("redis-cluster") || scheme.equals("rediss-cluster");
    }

    /**
     * The parsed URI, credentials included: hand it to the client library only. When the URL
     * lists several hosts, one an IPv6 literal, its authority is a placeholder; read
     * {@link #rawAuthority()}.
     *
     * @return the URI
     */
    public URI uri() {
        return uri;
    }

    /**
     * The first server the URL names, without credentials: its only one for {@code redis://} and
     * {@code rediss://}, the first seed node of a Cluster URL, the first Sentinel of a Sentinel
     * URL; the port is the scheme's default (6379, or 26379 for Sentinel) when none is written.
     * Empty when the URL names no network server ({@code memory://}) or its first host cannot be
     * read.
     *
     * @return the first server's host and port; empty when there is none to read
     */
    public Optional<ServerAddress> serverAddress() {
        String scheme = scheme();
        if (!scheme.startsWith("redis")) {
            return Optional.empty();
        }
        String[] first = hostAndPort(hosts()[0]);
        if (first == null) {
            return Optional.empty();
        }
        try {
            int number = first[1].isEmpty() ? (scheme.contains("sentinel") ? 26379 : 6379) : Integer.parseInt(first[1]);
            return Optional.of(new ServerAddress(first[0], number));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The host entries of a Redis URL's authority, credentials left out. */
    private String[] hosts() {
        String hosts = rawAuthority == null ? "" : rawAuthority.substring(rawAuthority.lastIndexOf('@') + 1);
        return hosts.split(",", -1);
    }

    /** A host entry's host and port (empty when none is written), or null when its IPv6 bracket is not closed. */
    private static String[] hostAndPort(String entry) {
        if (entry.startsWith("[")) {
            int close = entry.indexOf(']');
            if (close < 0) {
                return null;
            }
            String port = entry.length() > close + 1 && entry.charAt(close + 1) == ':' ? entry.substring(close + 2) : "";
            return new String[] {entry.substring(1, close), port};
        }
        int colon = entry.lastIndexOf(':');
        return colon < 0 ? new String[] {entry, ""} : new String[] {entry.substring(0, colon), entry.substring(colon + 1)};
    }

    /**
     * Refuses a Redis URL whose host entry has a port that is not a number from 1 to 65535
     * ({@code redis://cache:63790x}): the client would otherwise fail later, or quietly fall
     * back to the default port.
     */
    private void checkPorts() {
        if (!scheme().startsWith("redis")) {
            return;
        }
        for (String entry : hosts()) {
            String[] hostAndPort = hostAndPort(entry);
            String port = hostAndPort == null ? "" : hostAndPort[1];
            boolean number = port.matches("\\d{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535;
            if (!port.isEmpty() && !number) {
                // Neither the port nor the URL is echoed: "redis://user:secret" (no '@') reads as
                // host "user" with port "secret".
                throw new IllegalArgumentException("the " + scheme() + " URL gives host '" + hostAndPort[0]
                        + "' a port that is not a number from 1 to 65535 (write " + scheme()
                        + "://[user:password@]host:port)");
            }
        }
    }

    /**
     * The original text, credentials included: hand it to the client library only.
     *
     * @return the text given to {@link #parse(String)}
     */
    public String secretValue() {
        return value;
    }

    /**
     * The URL with any user-info replaced by {@code ***}.
     *
     * @return the URL, safe to show
     */
    public String redacted() {
        return redact(value);
    }

    /**
     * Replaces the user-info part of a URL-like string with {@code ***}.
     *
     * @param url a URL-like string, credentials included or not; may be null
     * @return the string without its user-info; null for null
     */
    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        int scheme = url.indexOf("://");
        int start = scheme < 0 ? 0 : scheme + 3;
        int slash = url.indexOf('/', start);
        int end = slash < 0 ? url.length() : slash;
        int at = url.lastIndexOf('@', end - 1);
        if (at < start) {
            return url;
        }
        return url.substring(0, start) + "***" + url.substring(at);
    }

    @Override
    public String toString() {
        return redacted();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionUrl other && other.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
