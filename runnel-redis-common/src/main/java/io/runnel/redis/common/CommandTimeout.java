// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import java.time.Duration;

/**
 * The {@code timeout} of a Redis URL, as both Redis transports apply it: it bounds every
 * command, and a blocking read gets it on top of its block, so a block longer than the
 * timeout is not cut short.
 */
public final class CommandTimeout {
    /** The timeout of a URL that names none, as in Lettuce. */
    public static final Duration DEFAULT = Duration.ofSeconds(60);

    private CommandTimeout() {
    }

    /**
     * How long a blocking read may wait for its reply.
     *
     * @param timeout the URL's command timeout
     * @param block   how long the read blocks on the server
     * @return their sum
     */
    public static Duration forBlockingRead(Duration timeout, Duration block) {
        return timeout.plus(block);
    }

    /**
     * Checks a URL's timeout. Zero would fail every command at once (or, as a socket
     * timeout, wait forever), so it is refused when the transport opens.
     *
     * @param timeout   the URL's timeout, as parsed
     * @param asWritten the {@code timeout} parameter as the URL spells it, for the message
     * @return {@code timeout}
     * @throws IllegalArgumentException unless {@code timeout} is positive
     */
    public static Duration requirePositive(Duration timeout, String asWritten) {
        if (!timeout.isPositive()) {
            throw new IllegalArgumentException("the timeout must be positive, not '" + asWritten + "'");
        }
        return timeout;
    }
}
