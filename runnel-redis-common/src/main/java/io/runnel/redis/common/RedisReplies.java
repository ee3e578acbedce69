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

    /** A bulk string of a script's reply: Lettuce hands it over as {@code byte[]}, Jedis as either. */
    public static String text(Object value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    /** Whether an error reply starts with {@code code}, e.g. {@code BUSYGROUP}. */
    public static boolean hasErrorCode(Throwable error, String code) {
        String message = error.getMessage();
        return message != null && message.startsWith(code);
    }

    /** XGROUP CREATE found the group already there, which must leave it as it is. */
    public static boolean groupExists(Throwable error) {
        return hasErrorCode(error, "BUSYGROUP");
    }

    /** XGROUP DESTROY on a missing key: Redis calls it an error, the transports do not. */
    public static boolean keyMissing(Throwable error) {
        return String.valueOf(error.getMessage()).contains("requires the key to exist");
    }

    /** EVALSHA of a script the server's cache no longer holds (after a restart or SCRIPT FLUSH). */
    public static boolean scriptMissing(Throwable error) {
        return hasErrorCode(error, "NOSCRIPT");
    }

    /** PTTL's answer as a time to live: empty for -2 (no such key) and -1 (no expiry). */
    public static Optional<Duration> timeToLive(long pttlMillis) {
        return pttlMillis < 0 ? Optional.empty() : Optional.of(Duration.ofMillis(pttlMillis));
    }
}
