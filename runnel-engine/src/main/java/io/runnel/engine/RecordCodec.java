// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Compressor;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.Serializer;

import java.util.Map;

/** Turns records into stream fields and back, for one stream. */
sealed interface RecordCodec<T> permits RecordCodec.Structured, PrimitiveCodec {

    /** The field holding a structured record's serialized bytes. */
    String DATA_FIELD = "data";

    Map<String, byte[]> encode(T record);

    T decode(Map<String, byte[]> fields);

    static <T> RecordCodec<T> of(RecordType<T> type, Serializer serializer, Compressor compressor) {
        return type.primitive() ? new PrimitiveCodec<>(type) : new Structured<>(type, serializer, compressor);
    }

    /** A structured record: serialized, then optionally compressed, into the {@code data} field. */
    record Structured<T>(RecordType<T> type, Serializer serializer, Compressor compressor) implements RecordCodec<T> {
        @Override
        public Map<String, byte[]> encode(T record) {
            byte[] bytes = serializer.serialize(type, record);
            return Map.of(DATA_FIELD, compressor == null ? bytes : compressor.compress(bytes));
        }

        @Override
        public T decode(Map<String, byte[]> fields) {
            byte[] bytes = fields.get(DATA_FIELD);
            if (bytes == null) {
                throw new SerializationException("event has no '" + DATA_FIELD + "' field (fields: "
                        + fields.keySet() + "); cannot decode " + type.type().getSimpleName());
            }
            return serializer.deserialize(type, compressor == null ? bytes : compressor.decompress(bytes));
        }
    }
}
