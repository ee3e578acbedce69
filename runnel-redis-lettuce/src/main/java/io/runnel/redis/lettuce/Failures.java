package io.runnel.redis.lettuce;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns whatever Lettuce throws into a {@link TransportException} that names the server by
 * its redacted URL. Lettuce messages are not trusted to be free of credentials, so the
 * secret parts of the URL are scrubbed from every message in the cause chain as well.
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
     * @param operation the command or step that failed, e.g. {@code XADD}; empty for
     *                  opening a connection
     */
    TransportException translate(String operation, Throwable error) {
        String what = switch (error) {
            case RedisConnectionException e -> "cannot connect to " + where() + (operation.isEmpty() ? "" : " for " + operation);
            case RedisCommandTimeoutException e -> operation + " timed out on " + where();
            case RedisCommandExecutionException e -> operation + " was rejected by " + where();
            default -> operation + " failed on " + where();
        };
        return new TransportException(what + ": " + scrub(describe(error)), sanitize(error));
    }

    /** Lettuce wraps the telling reason (WRONGPASS, connection refused) in generic messages. */
    private static String describe(Throwable error) {
        String message = String.valueOf(error.getMessage());
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root.getMessage();
        if (root == error || reason == null || message.contains(reason)) {
            return message;
        }
        return message + " (" + reason + ")";
    }

    /** A failure with no Lettuce exception behind it. */
    TransportException failure(String message) {
        return new TransportException(scrub(message) + " (" + where() + ")");
    }

    String scrub(String text) {
        String scrubbed = text;
        for (String secret : secrets) {
            scrubbed = scrubbed.replace(secret, "***");
        }
        return scrubbed;
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
        if (userInfo != null && !userInfo.isEmpty()) {
            secrets.add(userInfo);
            int colon = userInfo.indexOf(':');
            String password = colon < 0 ? userInfo : userInfo.substring(colon + 1);
            if (!password.isEmpty()) {
                secrets.add(password);
                String decoded = URLDecoder.decode(password.replace("+", "%2B"), StandardCharsets.UTF_8);
                if (!decoded.equals(password)) {
                    secrets.add(decoded);
                }
            }
        }
        return secrets;
    }
}
