// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.ConnectionUrl;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The secret parts of a connection URL (its user-info and password, raw and decoded), and
 * the means to keep them out of text and exception chains. Client libraries are not trusted
 * to leave them out of their messages, so every message a transport builds from one goes
 * through here.
 */
public final class Secrets {
    private final List<String> secrets;

    private Secrets(List<String> secrets) {
        this.secrets = List.copyOf(secrets);
    }

    /**
     * The secrets of a URL; none when it has no user-info.
     *
     * @param url a connection URL
     * @return its user-info and password, raw and percent-decoded
     */
    public static Secrets of(ConnectionUrl url) {
        List<String> secrets = new ArrayList<>();
        String userInfo = userInfo(url);
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
        return new Secrets(secrets);
    }

    /**
     * The text with every secret replaced by {@code ***}.
     *
     * @param text any text
     * @return the text, scrubbed
     */
    public String scrub(String text) {
        String scrubbed = text;
        for (String secret : secrets) {
            scrubbed = scrubbed.replace(secret, "***");
        }
        return scrubbed;
    }

    /**
     * The error itself unless a secret appears somewhere in its chain (causes and suppressed
     * exceptions); then a copy of the chain with scrubbed messages and the original stack
     * traces, fit to be the cause of a {@code TransportException}.
     *
     * @param error an exception, e.g. a client's
     * @return {@code error}, or a scrubbed copy of its chain
     */
    public Throwable sanitize(Throwable error) {
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

    private static String userInfo(ConnectionUrl url) {
        String userInfo = url.uri().getRawUserInfo();
        if (userInfo != null) {
            return userInfo;
        }
        // A URL naming several hosts (Sentinel, Cluster) has no server-based authority, so
        // the URI keeps no user-info of its own: take it from the raw authority.
        String authority = url.rawAuthority();
        int at = authority == null ? -1 : authority.lastIndexOf('@');
        return at < 0 ? null : authority.substring(0, at);
    }
}
