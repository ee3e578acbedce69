// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

/**
 * The server refused a command because its memory is full: its used memory is above its
 * {@code maxmemory} and its eviction policy frees nothing ({@code noeviction}, as streams
 * need), so it refuses every command that could grow its memory ({@code OOM}). Sends get it,
 * so a producer can back off and send again once the server accepts writes.
 *
 * <p>Everything that frees memory or keeps workers coordinated still runs at that point
 * (see {@link Transport}): consumers read, process and acknowledge, and retention trims what
 * every processor has acknowledged. So the refusal ends by itself when the backlog drains,
 * unless what fills the memory cannot be trimmed, such as the backlog of a processor that is
 * stopped or too slow.
 */
public class ServerOutOfMemory extends CommandRejected {
    /** Redis's error code for a command refused at {@code maxmemory}. */
    public static final String CODE = "OOM";

    /** What to do about it, for messages and logs. */
    public static final String REMEDY = "Raise the server's maxmemory, or give it a budget that holds the streams' "
            + "backlog (keep maxmemory-policy noeviction: an evicting policy would delete events); retention trims "
            + "what every processor has acknowledged, so check for a stopped or slow processor whose backlog keeps "
            + "its partitions from being trimmed (runnel status shows its lag and pending entries)";

    /**
     * A refusal at maxmemory.
     *
     * @param message the failure, naming the command and the server (never its credentials),
     *                and the remedy
     * @param cause   the client's exception, if any (may be null)
     */
    public ServerOutOfMemory(String message, Throwable cause) {
        super(message, CODE, cause);
    }

    /**
     * Whether an error code is the one of a command refused at {@code maxmemory}.
     *
     * @param errorCode the first word of a server's error reply
     * @return whether it is {@value #CODE}
     */
    public static boolean isCode(String errorCode) {
        return CODE.equals(errorCode);
    }
}
