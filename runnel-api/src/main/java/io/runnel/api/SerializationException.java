// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * A record could not be encoded, or an event's bytes could not be decoded (corrupt
 * payload, unknown schema, failed decompression). While processing, it is handled by the
 * processor's {@link ExceptionPolicy} like any other failure.
 */
public class SerializationException extends RunnelException {
    /**
     * A failure found by the serializer itself.
     *
     * @param message what could not be encoded or decoded, and why
     */
    public SerializationException(String message) {
        super(message);
    }

    /**
     * A failure reported by an underlying library.
     *
     * @param message what could not be encoded or decoded
     * @param cause   the library's exception
     */
    public SerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
