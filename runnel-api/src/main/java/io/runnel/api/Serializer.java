// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

/**
 * Turns structured records into the bytes of an event's {@code data} field and back.
 * Implementations must be thread-safe. To make one discoverable by name, list it in
 * {@code META-INF/services/io.runnel.api.Serializer} with a public no-argument constructor.
 */
public interface Serializer {

    /**
     * Name used by the {@code default_serializer} setting, e.g. {@code json}.
     *
     * @return the name, unique among the serializers on the classpath
     */
    String name();

    /**
     * Encodes a record.
     *
     * @param <T>   the record's class
     * @param type  the stream's record type
     * @param value the record to encode (not null)
     * @return the bytes of the event's {@code data} field
     * @throws SerializationException if the record cannot be encoded
     */
    <T> byte[] serialize(RecordType<T> type, T value) throws SerializationException;

    /**
     * Decodes a record; corrupt input throws {@link SerializationException}.
     *
     * @param <T>   the record's class
     * @param type  the stream's record type
     * @param bytes the event's {@code data} field, as {@link #serialize} wrote it
     * @return the record
     * @throws SerializationException if the bytes are not a valid record of {@code type}
     */
    <T> T deserialize(RecordType<T> type, byte[] bytes) throws SerializationException;

    /**
     * Checks, when a stream of {@code type} is defined, that records of it can be decoded at
     * all, so a type this serializer could never read back (an interface component it cannot
     * pick a class for, say) fails at definition rather than on every event. The default
     * checks nothing.
     *
     * @param <T>  the record's class
     * @param type the stream's record type
     * @throws SerializationException saying why records of {@code type} cannot be decoded
     */
    default <T> void checkReadable(RecordType<T> type) throws SerializationException {
    }
}
