package io.runnel.api.transport;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * A server address such as {@code redis://user:secret@host:6379/0}. It keeps the original
 * text for the client library but only ever shows the redacted form, so credentials do not
 * leak into logs, exception messages or {@code toString()}.
 */
public final class ConnectionUrl {
    private final String value;
    private final URI uri;

    private ConnectionUrl(String value, URI uri) {
        this.value = value;
        this.uri = uri;
    }

    /**
     * Parses a URL.
     *
     * @throws IllegalArgumentException naming only the redacted URL when it is malformed
     */
    public static ConnectionUrl parse(String value) {
        Objects.requireNonNull(value, "url");
        try {
            URI uri = new URI(value);
            if (uri.getScheme() == null) {
                throw new IllegalArgumentException("URL has no scheme (expected e.g. redis://host:port): "
                        + redact(value));
            }
            return new ConnectionUrl(value, uri);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("malformed URL: " + redact(value));
        }
    }

    /** Lower-case scheme, e.g. {@code redis}, {@code rediss}, {@code memory}. */
    public String scheme() {
        return uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    }

    /** The parsed URI, credentials included: hand it to the client library only. */
    public URI uri() {
        return uri;
    }

    /** The original text, credentials included: hand it to the client library only. */
    public String secretValue() {
        return value;
    }

    /** The URL with any user-info replaced by {@code ***}. */
    public String redacted() {
        return redact(value);
    }

    /** Replaces the user-info part of a URL-like string with {@code ***}. */
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
