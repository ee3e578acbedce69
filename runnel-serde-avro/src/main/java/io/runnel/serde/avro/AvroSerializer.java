// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.Serializer;
import io.runnel.api.TransportAware;
import io.runnel.api.transport.Transport;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.UnresolvedUnionException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes records with Apache Avro, in Avro's
 * <a href="https://avro.apache.org/docs/1.12.0/specification/#single-object-encoding">single-object
 * encoding</a>: the marker {@code C3 01}, the 8-byte little-endian CRC-64-AVRO fingerprint of
 * the writer schema, then the Avro binary body. The writer schema itself is registered once
 * in Redis, so readers with an evolved record still resolve old and new events.
 *
 * <h2>What it serializes</h2>
 * <ul>
 *   <li><b>Plain Java records</b>: the schema is derived from the record (see below).
 *   <li><b>Avro-generated {@link SpecificRecord} classes</b>: their own schema; read back
 *       into the generated class, resolved against whatever schema the event was written with.
 *       The class and the generated types its schema refers to are trusted for reading by this
 *       serializer, so Avro's process-wide class allow list
 *       ({@code org.apache.avro.SERIALIZABLE_PACKAGES}) need not name them.
 *   <li><b>{@link GenericRecord}</b> (a stream of {@code GenericRecord.class} or
 *       {@code GenericData.Record.class}): written with each record's own schema; read with
 *       the reader schema given to {@link #AvroSerializer(Schema)}, or with the writer schema
 *       as it is when the serializer was made with {@link #AvroSerializer()}.
 * </ul>
 *
 * <h2>Schemas derived from Java records</h2>
 * <ul>
 *   <li>Records and enums are named by their Java <em>simple</em> name, without namespace, so
 *       {@code v1.Order} and {@code v2.Order} resolve against each other (two different
 *       classes with one simple name cannot meet in one schema).
 *   <li>Java primitives ({@code boolean}, {@code byte}, {@code short}, {@code int},
 *       {@code long}, {@code float}, {@code double}) are required and default to zero /
 *       {@code false}. Every reference type is a union {@code ["null", T]} defaulting to
 *       {@code null}, wherever it appears (components, list elements, map values). So every
 *       field has a default: a component can be added or removed, and an old reader still
 *       reads new events and a new reader old ones (an added component reads as
 *       {@code null} or zero).
 *   <li>{@code String} is {@code string}; {@code byte[]} is {@code bytes}; {@code Integer}
 *       etc. the matching primitive; {@code byte}/{@code short} are {@code int}.
 *   <li>{@code Instant} is {@code long} with logical type {@code timestamp-nanos}: exact to
 *       the nanosecond, for instants between 1677-09-21 and 2262-04-11 (others fail to
 *       serialize rather than lose precision).
 *   <li>{@code LocalDate} is {@code int} with logical type {@code date} (days since 1970-01-01).
 *   <li>{@code BigDecimal} is {@code bytes} with logical type {@code big-decimal} (Avro 1.12:
 *       the scale and the unscaled two's-complement value stored with each value), so every
 *       value round-trips exactly, scale included ({@code 1.50} stays {@code 1.50}).
 *   <li>{@code UUID} is {@code string} with logical type {@code uuid}.
 *   <li>Enums are Avro enums with the constants' names as symbols. A reader fails on a symbol
 *       it does not know, so add constants to readers before writers use them.
 *   <li>{@code List<V>} and {@code Set<V>} are arrays (read back as {@code ArrayList} and
 *       {@code LinkedHashSet}, in order), {@code Map<String, V>} maps (read back as a map
 *       with the same entries; entry order is not kept); nested records are records (and may
 *       refer to themselves).
 * </ul>
 * {@link #schemaOf(Class)} shows the derived schema.
 *
 * <h2>Schema store</h2>
 * A writer schema is stored, the first time this process writes with it, at the Redis key
 * {@code __schema:<app>.<fingerprint>} (16 lower-case hex digits of the fingerprint; the
 * value is the schema's JSON) with {@code SET NX}, and cached in the process. A reader looks
 * a fingerprint up in its cache, then in Redis. Keys are per app, like every other Runnel key,
 * so an app's Redis ACL ({@code ~__*:shop.*}-style patterns) and clean-up cover them too. An
 * instance serves one app: the engine attaches it to the app's connection on first use
 * ({@link TransportAware}); before that, or without an app, it only knows the schemas of
 * this process.
 *
 * <p>A payload that is not single-object encoded, whose fingerprint is unknown both here and
 * in Redis, whose body is corrupt or cannot be resolved against the reader's schema fails
 * with {@link SerializationException} naming the record type and the fingerprint, never
 * quoting the payload. Thread-safe.
 */
public final class AvroSerializer implements Serializer, TransportAware {
    private static final byte MARKER_0 = (byte) 0xC3;
    private static final byte MARKER_1 = (byte) 0x01;
    private static final int HEADER_SIZE = 10;
    private static final int MAX_REASON_CHARS = 240;

    private final Schema genericReaderSchema;
    private final SchemaStore store = new SchemaStore();
    private final Map<Class<?>, Plan> plans = new ConcurrentHashMap<>();

    /**
     * A serializer for Java records, SpecificRecord classes and GenericRecords (read with their
     * writer schema); the constructor {@link java.util.ServiceLoader} calls.
     */
    public AvroSerializer() {
        this.genericReaderSchema = null;
    }

    /**
     * A serializer whose {@link GenericRecord} streams are read with {@code genericReaderSchema}
     * (events written with other schemas are resolved against it); Java records and
     * SpecificRecords are handled as by {@link #AvroSerializer()}.
     *
     * @param genericReaderSchema the record schema GenericRecord streams are read with
     * @throws IllegalArgumentException if the schema is not a record schema
     */
    public AvroSerializer(Schema genericReaderSchema) {
        Objects.requireNonNull(genericReaderSchema, "genericReaderSchema");
        if (genericReaderSchema.getType() != Schema.Type.RECORD) {
            throw new IllegalArgumentException("a GenericRecord reader schema must be a record schema, not "
                    + genericReaderSchema.getType());
        }
        this.genericReaderSchema = genericReaderSchema;
    }

    /**
     * The Avro schema this serializer writes a class with: derived from a Java record (see the
     * class documentation), or a SpecificRecord's own.
     *
     * @param type a Java record class or an Avro SpecificRecord class
     * @return its writer schema
     * @throws SerializationException if a record component has a type Avro cannot represent
     * @throws IllegalArgumentException if the class is neither
     */
    public static Schema schemaOf(Class<?> type) {
        Objects.requireNonNull(type, "type");
        if (SpecificRecord.class.isAssignableFrom(type)) {
            return SpecificData.getForClass(type).getSchema(type);
        }
        if (type.isRecord()) {
            return RecordMapper.of(type).schema();
        }
        throw new IllegalArgumentException(type.getName() + " is neither a Java record nor an Avro SpecificRecord");
    }

    /**
     * The 64-bit CRC-64-AVRO fingerprint of a schema's Parsing Canonical Form, as in payload headers.
     *
     * @param schema any Avro schema
     * @return its fingerprint, which names the schema in payload headers and the schema store
     */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /**
     * The reader schema of GenericRecord streams, if one was given.
     *
     * @return the schema given to {@link #AvroSerializer(Schema)}; empty for {@link #AvroSerializer()}
     */
    public Optional<Schema> genericReaderSchema() {
        return Optional.ofNullable(genericReaderSchema);
    }

    @Override
    public String name() {
        return "avro";
    }

    /**
     * Registers writer schemas in the app's Redis from now on.
     *
     * @throws io.runnel.api.Misconfigured if this instance is already attached to another app or connection
     */
    @Override
    public void attach(Transport transport, String appName) {
        store.attach(Objects.requireNonNull(transport, "transport"), Objects.requireNonNull(appName, "appName"));
    }

    @Override
    public <T> byte[] serialize(RecordType<T> type, T value) throws SerializationException {
        Objects.requireNonNull(type, "type");
        if (value == null) {
            throw new SerializationException("cannot serialize " + name(type) + " to Avro: the record is null");
        }
        Plan plan = plan(type);
        Writer writer;
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try {
            writer = plan.writer(value);
            out.write(header(writer.fingerprint()));
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer.datumWriter().write(plan.toDatum(value), encoder);
            encoder.flush();
        } catch (SerializationException e) {
            throw e;
        } catch (RecordMapper.ComponentException e) {
            throw new SerializationException("cannot serialize " + name(type) + " to Avro: component " + e.path()
                    + ": " + e.getMessage());
        } catch (UnresolvedUnionException e) {
            // Avro's message quotes the value; name only its class and the union.
            throw new SerializationException("cannot serialize " + name(type) + " to Avro: a value of type "
                    + className(e.getUnresolvedDatum()) + " matches no branch of " + shorten(String.valueOf(e.getUnionSchema())), e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + name(type) + " to Avro: " + reason(e), e);
        }
        // Stored after a successful encoding, so a bad value never registers anything; a
        // TransportException here fails the send like a failed XADD would.
        store.register(writer.fingerprint(), writer.schema());
        return out.toByteArray();
    }

    @Override
    public <T> T deserialize(RecordType<T> type, byte[] bytes) throws SerializationException {
        Objects.requireNonNull(type, "type");
        if (bytes == null) {
            throw new SerializationException("cannot deserialize " + name(type) + " from Avro: no payload");
        }
        if (bytes.length < HEADER_SIZE || bytes[0] != MARKER_0 || bytes[1] != MARKER_1) {
            throw new SerializationException("cannot deserialize " + name(type) + " from Avro (" + bytes.length
                    + " bytes): not Avro single-object encoding (expected the marker C3 01 and an 8-byte schema fingerprint)");
        }
        long fingerprint = fingerprintOf(bytes);
        Plan plan = plan(type);
        String context = name(type) + " from Avro (" + bytes.length + " bytes, writer schema fingerprint "
                + SchemaStore.hex(fingerprint) + ")";
        Schema writerSchema = store.find(fingerprint, name(type)).orElseThrow(() -> new SerializationException(
                "cannot deserialize " + context + ": unknown writer schema, neither in this process nor "
                        + (store.attached() ? "in Redis at " + store.keyOf(fingerprint) : "in Redis (not attached to an app)")));
        Object result;
        boolean trailing;
        try {
            DatumReader<Object> reader = plan.reader(fingerprint, writerSchema);
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, HEADER_SIZE, bytes.length - HEADER_SIZE, null);
            Object datum = reader.read(null, decoder);
            trailing = !decoder.isEnd();
            result = trailing ? null : plan.fromDatum(datum);
        } catch (RecordMapper.ComponentException e) {
            throw new SerializationException("cannot deserialize " + context + ": component " + e.path() + ": " + e.getMessage());
        } catch (SerializationException e) {
            // The record's constructor refused the values.
            throw new SerializationException("cannot deserialize " + context + ": " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot deserialize " + context + ": corrupt payload or incompatible schema: "
                    + reason(e), e);
        }
        if (trailing) {
            throw new SerializationException("cannot deserialize " + context + ": corrupt payload (bytes left after the record)");
        }
        if (!type.type().isInstance(result)) {
            throw new SerializationException("cannot deserialize " + context + ": it decodes to "
                    + className(result) + ", not " + type.type().getName());
        }
        return type.type().cast(result);
    }

    /**
     * Derives the plan for the type at definition: a Java record with a component Avro cannot
     * represent, or a class that is neither a record, a SpecificRecord nor GenericRecord, is
     * refused there rather than on every event.
     */
    @Override
    public <T> void checkReadable(RecordType<T> type) throws SerializationException {
        plan(type);
    }

    // ------------------------------------------------------------------ plans

    private Plan plan(RecordType<?> type) {
        Plan plan = plans.get(type.type());
        if (plan == null) {
            plan = plans.computeIfAbsent(type.type(), this::newPlan);
        }
        return plan;
    }

    private Plan newPlan(Class<?> type) {
        Plan plan;
        if (SpecificRecord.class.isAssignableFrom(type)) {
            plan = new SpecificPlan(type);
        } else if (type.isRecord()) {
            plan = new JavaRecordPlan(RecordMapper.of(type));
        } else if (GenericRecord.class.isAssignableFrom(type) && type.isAssignableFrom(GenericData.Record.class)) {
            plan = new GenericPlan(genericReaderSchema);
        } else {
            throw new SerializationException("the Avro serializer handles Java records, Avro SpecificRecord classes and "
                    + "GenericRecord; " + type.getName() + " is none of these");
        }
        plan.readerSchema().ifPresent(s -> store.remember(fingerprint(s), s));
        return plan;
    }

    /** A writer schema, its fingerprint and the datum writer for it. */
    private record Writer(Schema schema, long fingerprint, DatumWriter<Object> datumWriter) {
        static Writer generic(Schema schema) {
            return new Writer(schema, AvroSerializer.fingerprint(schema), new GenericDatumWriter<>(schema, GenericData.get()));
        }
    }

    /** How one class is written and read. */
    private abstract static sealed class Plan permits JavaRecordPlan, SpecificPlan, GenericPlan {
        /** Datum readers by writer fingerprint (resolution is worked out once per pair). */
        private final Map<Long, DatumReader<Object>> readers = new ConcurrentHashMap<>();

        abstract Writer writer(Object value);

        Object toDatum(Object value) {
            return value; // Specific and generic records are already Avro data
        }

        Object fromDatum(Object datum) {
            return datum;
        }

        /** The schema values are read into (empty: each event's writer schema). */
        abstract Optional<Schema> readerSchema();

        abstract DatumReader<Object> newReader(Schema writer);

        final DatumReader<Object> reader(long fingerprint, Schema writer) {
            DatumReader<Object> reader = readers.get(fingerprint);
            if (reader == null) {
                reader = readers.computeIfAbsent(fingerprint, fp -> newReader(writer));
            }
            return reader;
        }
    }

    private static final class JavaRecordPlan extends Plan {
        private final RecordMapper mapper;
        private final Writer writer;

        JavaRecordPlan(RecordMapper mapper) {
            this.mapper = mapper;
            this.writer = Writer.generic(mapper.schema());
        }

        @Override
        Writer writer(Object value) {
            return writer;
        }

        @Override
        Object toDatum(Object value) {
            return mapper.toAvro(value);
        }

        @Override
        Object fromDatum(Object datum) {
            return mapper.fromAvro(datum);
        }

        @Override
        Optional<Schema> readerSchema() {
            return Optional.of(mapper.schema());
        }

        @Override
        DatumReader<Object> newReader(Schema writerSchema) {
            return new GenericDatumReader<>(writerSchema, mapper.schema(), GenericData.get());
        }
    }

    private static final class SpecificPlan extends Plan {
        private final SpecificData model;
        private final Schema schema;
        private final Writer writer;

        SpecificPlan(Class<?> type) {
            this.model = new TrustedSpecificData(type);
            this.schema = model.getSchema(type);
            this.writer = new Writer(schema, fingerprint(schema), new SpecificDatumWriter<>(schema, model));
        }

        @Override
        Writer writer(Object value) {
            return writer;
        }

        @Override
        Optional<Schema> readerSchema() {
            return Optional.of(schema);
        }

        @Override
        DatumReader<Object> newReader(Schema writerSchema) {
            return new SpecificDatumReader<>(writerSchema, schema, model);
        }
    }

    private static final class GenericPlan extends Plan {
        private final Schema readerSchema;
        /** Writers by the records' schema; records of one stream usually share one schema instance. */
        private final Map<Schema, Writer> writers = new ConcurrentHashMap<>();

        GenericPlan(Schema readerSchema) {
            this.readerSchema = readerSchema;
        }

        @Override
        Writer writer(Object value) {
            Schema schema = ((GenericRecord) value).getSchema();
            if (schema == null || schema.getType() != Schema.Type.RECORD) {
                throw new IllegalArgumentException("a GenericRecord needs a record schema");
            }
            Writer writer = writers.get(schema);
            if (writer == null) {
                writer = writers.computeIfAbsent(schema, Writer::generic);
            }
            return writer;
        }

        @Override
        Optional<Schema> readerSchema() {
            return Optional.ofNullable(readerSchema);
        }

        @Override
        DatumReader<Object> newReader(Schema writerSchema) {
            return new GenericDatumReader<>(writerSchema, readerSchema != null ? readerSchema : writerSchema, GenericData.get());
        }
    }

    // ------------------------------------------------------------------ framing and messages

    private static byte[] header(long fingerprint) {
        byte[] header = new byte[HEADER_SIZE];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fingerprint >>> (8 * i));
        }
        return header;
    }

    private static long fingerprintOf(byte[] bytes) {
        long fingerprint = 0;
        for (int i = 0; i < 8; i++) {
            fingerprint |= (bytes[2 + i] & 0xFFL) << (8 * i);
        }
        return fingerprint;
    }

    private static String name(RecordType<?> type) {
        return type.type().getSimpleName();
    }

    private static String className(Object value) {
        return value == null ? "null" : value.getClass().getName();
    }

    /** Avro's explanation (schema-level: field names, types), capped; the exception class when it has none. */
    private static String reason(Exception e) {
        String message = e.getMessage();
        return shorten(message == null || message.isBlank()
                ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message.strip());
    }

    private static String shorten(String text) {
        return text.length() <= MAX_REASON_CHARS ? text : text.substring(0, MAX_REASON_CHARS) + "...";
    }
}
