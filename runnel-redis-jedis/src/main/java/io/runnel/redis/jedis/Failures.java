package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import java.net.SocketTimeoutException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Turns whatever Jedis throws into a {@link TransportException} that names the server by
 * its redacted URL. Jedis messages are not trusted to be free of credentials, so the secret
 * parts of the URL are scrubbed from every message in the cause chain as well.
 */
final class Failures {
    private final ConnectionUrl url;
    private final List<String> secrets;

    Failures(ConnectionUrl url) {
        this.url = url;
        this.secrets = secretsOf(url);
    }

    /** The URL fit for messages. */
    String where() {
        return url.redacted();
    }

    /**
     * A command that failed once it had a connection: refused by the server, timed out, or
     * the connection broke.
     *
     * @param operation the command or step that failed, e.g. {@code XADD}
     */
    TransportException translate(String operation, Throwable error) {
        String what = switch (error) {
            case JedisDataException e -> operation + " was rejected by " + where();
            case JedisConnectionException e when timedOut(e) -> operation + " timed out on " + where();
            default -> operation + " failed on " + where();
        };
        return new TransportException(what + ": " + scrub(describe(error)), sanitize(error));
    }

    /**
     * No connection could be had for a command: the server is unreachable, refused the
     * credentials, or every pooled connection stayed busy for the whole timeout.
     *
     * @param operation the command waiting for the connection; empty when opening the transport
     */
    TransportException cannotConnect(String operation, Throwable error) {
        String what = rootCause(error) instanceof NoSuchElementException
                ? operation + " found no free connection to " + where()
                : "cannot connect to " + where() + (operation.isEmpty() ? "" : " for " + operation);
        return new TransportException(what + ": " + scrub(describe(error)), sanitize(error));
    }

    /** A failure with no Jedis exception behind it. */
    TransportException failure(String message) {
        return new TransportException(scrub(message) + " (" + where() + ")");
    }

    /** A failure of ours caused by a Jedis exception, e.g. the transport closing under a read. */
    TransportException failure(String message, Throwable cause) {
        return new TransportException(scrub(message) + " (" + where() + ")", sanitize(cause));
    }

    String scrub(String text) {
        String scrubbed = text;
        for (String secret : secrets) {
            scrubbed = scrubbed.replace(secret, "***");
        }
        return scrubbed;
    }

    /**
     * Jedis wraps the telling reason in generic messages: "Failed to connect to host:port."
     * keeps the refused connection as a suppressed exception, pool errors keep it as a cause.
     */
    private static String describe(Throwable error) {
        String message = String.valueOf(error.getMessage());
        Throwable root = rootCause(error);
        if (root == error && root.getSuppressed().length > 0) {
            root = rootCause(root.getSuppressed()[0]);
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        if (root == error || message.contains(reason)) {
            return message;
        }
        return message + " (" + reason + ")";
    }

    private static Throwable rootCause(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root;
    }

    /** Whether a failure was a reply that did not come in time (the connection is then unusable, not dead). */
    static boolean timedOut(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Keeps the original exception as the cause unless a secret appears somewhere in its
     * chain; then the chain is rebuilt with scrubbed messages and the original stack traces.
     */
    private Throwable sanitize(Throwable error) {
        if (!leaks(error)) {
            return error;
        }
        Throwable cause = error.getCause() == null || error.getCause() == error ? null : sanitize(error.getCause());
        RuntimeException copy = new RuntimeException(
                error.getClass().getName() + ": " + scrub(String.valueOf(error.getMessage())), cause);
        copy.setStackTrace(error.getStackTrace());
        for (Throwable suppressed : error.getSuppressed()) {
            copy.addSuppressed(sanitize(suppressed));
        }
        return copy;
    }

    private boolean leaks(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = String.valueOf(t.getMessage());
            for (String secret : secrets) {
                if (message.contains(secret)) {
                    return true;
                }
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (leaks(suppressed)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static List<String> secretsOf(ConnectionUrl url) {
        List<String> secrets = new ArrayList<>();
        String userInfo = url.uri().getRawUserInfo();
        if (userInfo == null) {
            // A Sentinel URL naming several hosts has no server-based authority, so the URI
            // keeps no user-info of its own: take it from the raw authority.
            String authority = url.uri().getRawAuthority();
            int at = authority == null ? -1 : authority.lastIndexOf('@');
            userInfo = at < 0 ? null : authority.substring(0, at);
        }
        if (userInfo != null && !userInfo.isEmpty()) {
            secrets.add(userInfo);
            int colon = userInfo.indexOf(':');
            String password = colon < 0 ? userInfo : userInfo.substring(colon + 1);
            if (!password.isEmpty()) {
                secrets.add(password);
                try {
                    String decoded = URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8);
                    if (!decoded.equals(password)) {
                        secrets.add(decoded);
                    }
                } catch (IllegalArgumentException e) {
                    // Not percent-encoded properly: the raw form is all a message could contain.
                }
            }
        }
        return secrets;
    }
}
