// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.runnel.api.transport.CommandRejected;
import io.runnel.redis.common.NodeAddress;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads where a {@code MOVED} error reply points ({@code MOVED <slot> <host>:<port>}): a
 * command that reached a master on a connection of its own, not through Lettuce's cluster
 * connection, gets the reply back as a refusal and follows it itself.
 */
final class Redirection {
    private static final Pattern MOVED = Pattern.compile("\\bMOVED \\d+ (\\S+)");

    private Redirection() {
    }

    /** The address of the master a MOVED refusal names, as {@link NodeAddress} prints it; empty for other refusals. */
    static Optional<String> movedTo(CommandRejected refusal) {
        if (!"MOVED".equals(refusal.errorCode())) {
            return Optional.empty();
        }
        Matcher target = MOVED.matcher(String.valueOf(refusal.getMessage()));
        if (!target.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(NodeAddress.parse(target.group(1)).toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
