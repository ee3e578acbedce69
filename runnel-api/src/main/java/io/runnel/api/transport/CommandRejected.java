// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

/**
 * The server was reached and answered a command with an error reply, such as
 * {@code WRONGTYPE} or {@code NOGROUP}. Unlike other {@link TransportException}s, this is
 * not an outage: sending the same command again gets the same answer until something in
 * the data changes, so callers that retry outages should not retry this blindly.
 */
public class CommandRejected extends TransportException {
    /** Redis's code for a command against a key that holds another type of value. */
    public static final String WRONG_TYPE = "WRONGTYPE";

    /** The first word of the server's error reply. */
    private final String errorCode;

    /**
     * A command the server refused.
     *
     * @param message   the failure, naming the command and the server (never its credentials)
     * @param errorCode the first word of the server's error reply, e.g. {@code WRONGTYPE}
     * @param cause     the client's exception, if any (may be null)
     */
    public CommandRejected(String message, String errorCode, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /**
     * The first word of the server's error reply, e.g. {@code WRONGTYPE} or {@code NOGROUP}.
     *
     * @return the error code
     */
    public String errorCode() {
        return errorCode;
    }

    /**
     * Whether the command met a key holding another type of value ({@code WRONGTYPE}).
     *
     * @return true when the error code is {@value #WRONG_TYPE}
     */
    public boolean isWrongType() {
        return WRONG_TYPE.equals(errorCode);
    }

    /**
     * The first word of an error reply's text: its code, by Redis's convention.
     *
     * @param reply the error reply's text, e.g. {@code "NOGROUP No such key..."}; may be null
     * @return its first word, or {@code "ERR"} when the reply is null or blank
     */
    public static String codeOf(String reply) {
        if (reply == null || reply.isBlank()) {
            return "ERR";
        }
        String trimmed = reply.strip();
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }
}
