// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * What some Redis replies mean, the same whichever client delivered them. Error replies are
 * recognised by their code, the first word of the message, which both clients keep as it is.
 */
public final class RedisReplies {

    private RedisReplies() {
    }

    /**
     * A bulk string of a script's reply: Lettuce hands it over as {@code byte[]}, Jedis as either.
     *
     * @param value the reply element, {@code byte[]} or anything else
     * @return the bytes decoded as UTF-8, or {@code String.valueOf(value)}
     */
    public static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    /**
     * Whether an error reply starts with {@code code}, e.g. {@code BUSYGROUP}.
     *
     * @param error the client's exception for an error reply
     * @param code  the error code to look for
     * @return true when the exception's message starts with {@code code}
     */
    public static boolean hasErrorCode(Throwable error, String code) {
        String message = error.getMessage();
        return message != null && message.startsWith(code);
    }

    /**
     * XGROUP CREATE found the group already there, which must leave it as it is.
     *
     * @param error the client's exception for XGROUP CREATE
     * @return true for a {@code BUSYGROUP} reply
     */
    public static boolean groupExists(Throwable error) {
        return hasErrorCode(error, "BUSYGROUP");
    }

    /**
     * XGROUP DESTROY on a missing key: Redis calls it an error, the transports do not.
     *
     * @param error the client's exception for XGROUP DESTROY
     * @return true when the reply says the key does not exist
     */
    public static boolean keyMissing(Throwable error) {
        return String.valueOf(error.getMessage()).contains("requires the key to exist");
    }

    /**
     * EVALSHA of a script the server's cache no longer holds (after a restart or SCRIPT FLUSH).
     *
     * @param error the client's exception for EVALSHA
     * @return true for a {@code NOSCRIPT} reply: send the script's source instead
     */
    public static boolean scriptMissing(Throwable error) {
        return hasErrorCode(error, "NOSCRIPT");
    }

    /**
     * PTTL's answer as a time to live: empty for -2 (no such key) and -1 (no expiry).
     *
     * @param pttlMillis PTTL's reply, in milliseconds
     * @return the time to live, or empty when the key has none
     */
    public static Optional<Duration> timeToLive(long pttlMillis) {
        return pttlMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(pttlMillis));
    }
}
