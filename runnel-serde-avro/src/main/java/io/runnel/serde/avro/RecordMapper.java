// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The Avro schema of a plain Java record, derived from its components, and the conversion of
 * its values to Avro's generic representation and back.
 *
 * <p>The rules (documented on {@link AvroSerializer}):
 * <ul>
 *   <li>Records and enums are named by their Java simple name, without a namespace, so two
 *       versions of a record living in different packages resolve against each other.
 *   <li>Java primitives are required and default to their zero value; every reference type
 *       (boxed numbers, strings, nested records, collections, ...) is a union
 *       {@code ["null", T]} defaulting to {@code null}, wherever it appears (components,
 *       list elements, map values). So any component can be added or removed without
 *       breaking readers of either version.
 * </ul>
 */
final class RecordMapper {
    private static final Conversions.BigDecimalConversion BIG_DECIMAL = new Conversions.BigDecimalConversion();
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final Schema schema;
    private final Mapping root;

    private RecordMapper(Schema schema, Mapping root) {
        this.schema = schema;
        this.root = root;
    }

    /**
     * Derives the schema and mapping of a record class.
     *
     * @throws SerializationException naming the record and component when a type is unsupported
     */
    static RecordMapper of(Class<?> recordClass) {
        Builder builder = new Builder(recordClass);
        try {
            Mapping root = builder.record(recordClass);
            return new RecordMapper(root.schema(), root);
        } catch (AvroRuntimeException e) {
            // e.g. a record or enum name Avro does not accept
            throw new SerializationException("cannot derive an Avro schema for " + recordClass.getSimpleName() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The record's Avro schema (a record schema named after the class's simple name). */
    Schema schema() {
        return schema;
    }

    /** A record as a {@link GenericData.Record} of {@link #schema()}. */
    Object toAvro(Object record) {
        return root.toAvro(record);
    }

    /** A record read with {@link #schema()} as the reader schema, back as the Java record. */
    Object fromAvro(Object datum) {
        return root.fromAvro(datum);
    }

    // ------------------------------------------------------------------ mappings

    /** How one Java type maps to an Avro schema and back. */
    private interface Mapping {
        /** The schema of a non-null value. */
        Schema schema();

        Object toAvro(Object value);

        Object fromAvro(Object datum);
    }

    private record Simple(Schema schema, java.util.function.Function<Object, Object> to,
                          java.util.function.Function<Object, Object> from) implements Mapping {
        @Override
        public Object toAvro(Object value) {
            return to.apply(value);
        }

        @Override
        public Object fromAvro(Object datum) {
            return from.apply(datum);
        }
    }

    /** A reference type: a union with null, the null branch first so the default can be null. */
    private record Nullable(Mapping value, Schema schema) implements Mapping {
        Nullable(Mapping value) {
            this(value, Schema.createUnion(Schema.create(Schema.Type.NULL), value.schema()));
        }

        @Override
        public Object toAvro(Object v) {
            return v == null ? null : value.toAvro(v);
        }

        @Override
        public Object fromAvro(Object datum) {
            return datum == null ? null : value.fromAvro(datum);
        }
    }

    /** A nested (or the top-level) record; components are filled in after creation so records may refer to themselves. */
    private static final class RecordMapping implements Mapping {
        private final RecordType<?> type;
        private final Schema schema;
        private Mapping[] components;

        RecordMapping(RecordType<?> type, Schema schema) {
            this.type = type;
            this.schema = schema;
        }

        @Override
        public Schema schema() {
            return schema;
        }

        @Override
        public Object toAvro(Object value) {
            GenericData.Record record = new GenericData.Record(schema);
            List<RecordType.Component> list = type.components();
            for (int i = 0; i < components.length; i++) {
                RecordType.Component c = list.get(i);
                Object v = c.get(value);
                try {
                    record.put(i, components[i].toAvro(v));
                } catch (RuntimeException e) {
                    throw ComponentException.of(c.name(), e);
                }
            }
            return record;
        }

        @Override
        public Object fromAvro(Object datum) {
            IndexedRecord record = (IndexedRecord) datum;
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                try {
                    values[i] = components[i].fromAvro(record.get(i));
                } catch (RuntimeException e) {
                    throw ComponentException.of(type.components().get(i).name(), e);
                }
            }
            return type.construct(values);
        }
    }

    /**
     * A value that cannot be converted, with the path to it (e.g. {@code items[2].price}) and
     * a reason that never quotes the value: only our own messages are kept, other
     * exceptions are reduced to their class name.
     */
    static final class ComponentException extends RuntimeException {
        private final String path;

        ComponentException(String path, String reason) {
            super(reason, null, false, false);
            this.path = path;
        }

        /** A failure of a conversion itself, before the path is known. */
        static ComponentException conversion(String reason) {
            return new ComponentException(null, reason);
        }

        /**
         * {@code e} seen at {@code step} (a component name, or "[i]" for an element): our own
         * exceptions (with messages of our making) get the step added, runnel exceptions (a
         * failing accessor or constructor) pass through, anything else is described by class only.
         */
        static RuntimeException of(String step, RuntimeException e) {
            if (e instanceof ComponentException ce) {
                String path = ce.path == null ? step
                        : ce.path.startsWith("[") ? step + ce.path : step + "." + ce.path;
                return new ComponentException(path, ce.getMessage());
            }
            if (e instanceof io.runnel.api.RunnelException) {
                return e;
            }
            return new ComponentException(step, "invalid value (" + e.getClass().getSimpleName() + ")");
        }

        String path() {
            return path;
        }
    }

    // ------------------------------------------------------------------ derivation

    private static final class Builder {
        private final Class<?> rootClass;
        private final Map<Class<?>, Mapping> named = new HashMap<>();
        private final Map<String, Class<?>> names = new HashMap<>();

        Builder(Class<?> rootClass) {
            this.rootClass = rootClass;
        }

        Mapping record(Class<?> recordClass) {
            Mapping known = named.get(recordClass);
            if (known != null) {
                return known;
            }
            RecordType<?> type = RecordType.of(recordClass);
            Schema schema = Schema.createRecord(avroName(recordClass), null, null, false);
            RecordMapping mapping = new RecordMapping(type, schema);
            named.put(recordClass, mapping);
            List<RecordType.Component> list = type.components();
            Mapping[] components = new Mapping[list.size()];
            List<Schema.Field> fields = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                RecordType.Component c = list.get(i);
                Mapping m;
                try {
                    m = component(c.genericType());
                } catch (Unsupported e) {
                    throw new SerializationException("cannot derive an Avro schema for " + rootClass.getSimpleName()
                            + ": component " + recordClass.getSimpleName() + "." + c.name() + " has type "
                            + c.genericType().getTypeName() + ", " + e.getMessage());
                }
                components[i] = m;
                fields.add(field(c.name(), m, recordClass));
            }
            mapping.components = components;
            schema.setFields(fields);
            return mapping;
        }

        private Schema.Field field(String name, Mapping m, Class<?> owner) {
            Object defaultValue = switch (m.schema().getType()) {
                case UNION -> Schema.Field.NULL_DEFAULT_VALUE;
                case BOOLEAN -> Boolean.FALSE;
                case INT -> 0;
                case LONG -> 0L;
                case FLOAT -> 0.0f;
                case DOUBLE -> 0.0d;
                default -> throw new IllegalStateException("unexpected required schema " + m.schema());
            };
            try {
                return new Schema.Field(name, m.schema(), null, defaultValue);
            } catch (AvroRuntimeException e) {
                throw new SerializationException("cannot derive an Avro schema for " + rootClass.getSimpleName()
                        + ": component " + owner.getSimpleName() + "." + name + " is not a valid Avro field name ("
                        + e.getMessage() + ")", e);
            }
        }

        /** A component's mapping: primitives required, everything else nullable. */
        private Mapping component(Type type) {
            if (type instanceof Class<?> c && c.isPrimitive()) {
                return primitive(c);
            }
            return new Nullable(reference(type));
        }

        private Mapping primitive(Class<?> c) {
            if (c == boolean.class) {
                return same(Schema.Type.BOOLEAN);
            } else if (c == int.class) {
                return same(Schema.Type.INT);
            } else if (c == long.class) {
                return same(Schema.Type.LONG);
            } else if (c == float.class) {
                return same(Schema.Type.FLOAT);
            } else if (c == double.class) {
                return same(Schema.Type.DOUBLE);
            } else if (c == short.class) {
                return shortMapping();
            } else if (c == byte.class) {
                return byteMapping();
            }
            throw new Unsupported("which Avro has no type for (supported primitives: boolean, byte, short, int, long, float, double)");
        }

        /** The non-null mapping of a reference type. */
        private Mapping reference(Type type) {
            if (type instanceof WildcardType w) {
                return reference(w.getUpperBounds()[0]);
            }
            if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw) {
                Type[] args = p.getActualTypeArguments();
                if (raw == List.class || raw == Collection.class) {
                    return list(new Nullable(reference(args[0])));
                } else if (raw == Set.class) {
                    return set(new Nullable(reference(args[0])));
                } else if (raw == Map.class) {
                    if (rawClass(args[0]) != String.class) {
                        throw new Unsupported("but Avro maps need String keys");
                    }
                    return map(new Nullable(reference(args[1])));
                }
                throw new Unsupported("which is not supported (collections: List, Set, Map<String, V>)");
            }
            if (!(type instanceof Class<?> c)) {
                throw new Unsupported("which is not a concrete type");
            }
            if (c == Boolean.class) {
                return same(Schema.Type.BOOLEAN);
            } else if (c == Integer.class) {
                return same(Schema.Type.INT);
            } else if (c == Long.class) {
                return same(Schema.Type.LONG);
            } else if (c == Float.class) {
                return same(Schema.Type.FLOAT);
            } else if (c == Double.class) {
                return same(Schema.Type.DOUBLE);
            } else if (c == Short.class) {
                return shortMapping();
            } else if (c == Byte.class) {
                return byteMapping();
            } else if (c == String.class) {
                return new Simple(Schema.create(Schema.Type.STRING), v -> v, Object::toString);
            } else if (c == byte[].class) {
                return new Simple(Schema.create(Schema.Type.BYTES),
                        v -> ByteBuffer.wrap((byte[]) v), RecordMapper::bytes);
            } else if (c == Instant.class) {
                return new Simple(LogicalTypes.timestampNanos().addToSchema(Schema.create(Schema.Type.LONG)),
                        v -> epochNanos((Instant) v), d -> instant((Long) d));
            } else if (c == LocalDate.class) {
                return new Simple(LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT)),
                        v -> epochDay((LocalDate) v), d -> LocalDate.ofEpochDay((Integer) d));
            } else if (c == BigDecimal.class) {
                Schema schema = LogicalTypes.bigDecimal().addToSchema(Schema.create(Schema.Type.BYTES));
                LogicalType logical = schema.getLogicalType();
                return new Simple(schema, v -> BIG_DECIMAL.toBytes((BigDecimal) v, schema, logical),
                        d -> BIG_DECIMAL.fromBytes(((ByteBuffer) d).duplicate(), schema, logical));
            } else if (c == UUID.class) {
                return new Simple(LogicalTypes.uuid().addToSchema(Schema.create(Schema.Type.STRING)),
                        Object::toString, d -> UUID.fromString(d.toString()));
            } else if (c.isEnum()) {
                return enumeration(c);
            } else if (c.isRecord()) {
                return record(c);
            } else if (c == List.class || c == Set.class || c == Map.class || c == Collection.class) {
                throw new Unsupported("which needs type arguments (e.g. List<String>)");
            }
            throw new Unsupported("which is not supported (supported: primitives and their boxes, String, byte[], "
                    + "Instant, LocalDate, BigDecimal, UUID, enums, records, List, Set, Map<String, V>)");
        }

        private Mapping enumeration(Class<?> enumClass) {
            Mapping known = named.get(enumClass);
            if (known != null) {
                return known;
            }
            List<String> symbols = new ArrayList<>();
            for (Object constant : enumClass.getEnumConstants()) {
                symbols.add(((Enum<?>) constant).name());
            }
            Schema schema;
            try {
                schema = Schema.createEnum(avroName(enumClass), null, null, symbols);
            } catch (AvroRuntimeException e) {
                throw new Unsupported("whose constants are not valid Avro symbols (" + e.getMessage() + ")");
            }
            @SuppressWarnings({"unchecked", "rawtypes"})
            Mapping mapping = new Simple(schema, v -> new GenericData.EnumSymbol(schema, ((Enum<?>) v).name()),
                    d -> Enum.valueOf((Class) enumClass, ((GenericEnumSymbol<?>) d).toString()));
            named.put(enumClass, mapping);
            return mapping;
        }

        /** The simple name; two classes with the same simple name cannot meet in one schema. */
        private String avroName(Class<?> c) {
            String name = c.getSimpleName();
            Class<?> other = names.putIfAbsent(name, c);
            if (other != null && other != c) {
                throw new SerializationException("cannot derive an Avro schema for " + rootClass.getSimpleName()
                        + ": " + other.getName() + " and " + c.getName() + " would both be named " + name
                        + " (Avro names are the Java simple names, without package); rename one");
            }
            return name;
        }
    }

    /** A type the mapping cannot handle; the message completes "component X has type T, ...". */
    private static final class Unsupported extends RuntimeException {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    // ------------------------------------------------------------------ conversions

    private static Mapping same(Schema.Type type) {
        return new Simple(Schema.create(type), v -> v, d -> d);
    }

    private static Mapping shortMapping() {
        return new Simple(Schema.create(Schema.Type.INT), v -> ((Short) v).intValue(), d -> {
            int i = (Integer) d;
            if (i < Short.MIN_VALUE || i > Short.MAX_VALUE) {
                throw ComponentException.conversion("int value out of range for a short");
            }
            return (short) i;
        });
    }

    private static Mapping byteMapping() {
        return new Simple(Schema.create(Schema.Type.INT), v -> ((Byte) v).intValue(), d -> {
            int i = (Integer) d;
            if (i < Byte.MIN_VALUE || i > Byte.MAX_VALUE) {
                throw ComponentException.conversion("int value out of range for a byte");
            }
            return (byte) i;
        });
    }

    private static Mapping list(Mapping element) {
        Schema schema = Schema.createArray(element.schema());
        return new Simple(schema, v -> {
            Collection<?> values = (Collection<?>) v;
            List<Object> out = new ArrayList<>(values.size());
            int i = 0;
            for (Object value : values) {
                out.add(element(element, value, "[" + i++ + "]"));
            }
            return out;
        }, d -> {
            Collection<?> values = (Collection<?>) d;
            List<Object> out = new ArrayList<>(values.size());
            int i = 0;
            for (Object value : values) {
                out.add(elementFrom(element, value, "[" + i++ + "]"));
            }
            return out;
        });
    }

    private static Mapping set(Mapping element) {
        Mapping asList = list(element);
        return new Simple(asList.schema(), asList::toAvro, d -> new LinkedHashSet<>((List<?>) asList.fromAvro(d)));
    }

    private static Mapping map(Mapping value) {
        Schema schema = Schema.createMap(value.schema());
        return new Simple(schema, v -> {
            Map<?, ?> entries = (Map<?, ?>) v;
            Map<String, Object> out = new LinkedHashMap<>(Math.max(4, entries.size() * 2));
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                if (e.getKey() == null) {
                    throw ComponentException.conversion("a map key is null, which Avro maps cannot hold");
                }
                out.put((String) e.getKey(), element(value, e.getValue(), "[<value>]"));
            }
            return out;
        }, d -> {
            Map<?, ?> entries = (Map<?, ?>) d;
            Map<String, Object> out = new LinkedHashMap<>(Math.max(4, entries.size() * 2));
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                out.put(e.getKey().toString(), elementFrom(value, e.getValue(), "[<value>]"));
            }
            return out;
        });
    }

    private static Object element(Mapping m, Object value, String step) {
        try {
            return m.toAvro(value);
        } catch (RuntimeException e) {
            throw ComponentException.of(step, e);
        }
    }

    private static Object elementFrom(Mapping m, Object datum, String step) {
        try {
            return m.fromAvro(datum);
        } catch (RuntimeException e) {
            throw ComponentException.of(step, e);
        }
    }

    private static byte[] bytes(Object datum) {
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    /** Nanoseconds since the epoch; Instants outside 1677-09-21..2262-04-11 do not fit a long. */
    private static long epochNanos(Instant instant) {
        long seconds = instant.getEpochSecond();
        long nanos = instant.getNano();
        if (seconds < 0 && nanos > 0) {
            // (s + 1) s - (1 s - n): the earliest instants overflow s * 10^9 before the nanos are added.
            seconds++;
            nanos -= NANOS_PER_SECOND;
        }
        try {
            return Math.addExact(Math.multiplyExact(seconds, NANOS_PER_SECOND), nanos);
        } catch (ArithmeticException e) {
            throw ComponentException.conversion("Instant outside the range of timestamp-nanos "
                    + "(1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z)");
        }
    }

    private static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, NANOS_PER_SECOND), Math.floorMod(nanos, NANOS_PER_SECOND));
    }

    private static int epochDay(LocalDate date) {
        long day = date.toEpochDay();
        if (day < Integer.MIN_VALUE || day > Integer.MAX_VALUE) {
            throw ComponentException.conversion("LocalDate outside the range of the Avro date type (int days since 1970-01-01)");
        }
        return (int) day;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        if (type instanceof WildcardType w) {
            return rawClass(w.getUpperBounds()[0]);
        }
        return Object.class;
    }
}
