package io.runnel.redis.lettuce;

import io.lettuce.core.RedisURI;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import io.runnel.redis.common.CommandTimeout;
import io.runnel.redis.common.RedisFailures;
import java.util.Locale;

/**
 * Reads a URL as Lettuce understands it, refusing what Lettuce would accept only to fail
 * every command later: Lettuce reads {@code timeout=0} and negative timeouts as zero, and a
 * zero timeout leaves no time for any reply.
 */
final class LettuceUrl {

    private LettuceUrl() {
    }

    /** @throws TransportException if the URL is invalid; the message shows it redacted */
    static RedisURI parse(ConnectionUrl url, RedisFailures failures) {
        RedisURI uri;
        try {
            uri = RedisURI.create(url.secretValue());
        } catch (RuntimeException e) {
            // Only the class: the parser's message may quote the URL with its credentials.
            throw failures.invalidUrl(e.getClass().getSimpleName());
        }
        try {
            CommandTimeout.requirePositive(uri.getTimeout(), timeoutAsWritten(url));
        } catch (IllegalArgumentException e) {
            throw failures.invalidUrl(e.getMessage());
        }
        return uri;
    }

    /** The {@code timeout} query parameter as the URL spells it (the last, if repeated). */
    private static String timeoutAsWritten(ConnectionUrl url) {
        String query = url.uri().getRawQuery();
        String value = "";
        for (String parameter : query == null ? new String[0] : query.split("[&;]")) {
            int equals = parameter.indexOf('=');
            String name = equals < 0 ? parameter : parameter.substring(0, equals);
            if (name.toLowerCase(Locale.ROOT).equals("timeout")) {
                value = equals < 0 ? "" : parameter.substring(equals + 1);
            }
        }
        return value;
    }
}
