// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The Avro model of one SpecificRecord class, which trusts the generated classes its schema
 * names.
 *
 * <p>Avro 1.12 refuses to instantiate classes outside {@code java.*} that are not listed in a
 * process-wide allow list ({@code ClassSecurityValidator}, system property
 * {@code org.apache.avro.SERIALIZABLE_PACKAGES}), to protect readers from schemas that name
 * arbitrary classes. Here the classes come from the reader schema compiled into the class the
 * user declared the stream with, never from the event's (writer) schema, so they are trusted
 * locally, without touching Avro's global settings. Everything else (conversions for logical
 * types, the class loader) is taken from the class's own model.
 */
final class TrustedSpecificData extends SpecificData {
    private final Map<String, Class<?>> classes = new HashMap<>();

    TrustedSpecificData(Class<?> type) {
        super(type.getClassLoader());
        SpecificData model = SpecificData.getForClass(type);
        model.getConversions().forEach(this::addLogicalTypeConversion);
        collect(model.getSchema(type), type.getClassLoader(), new HashSet<>());
    }

    private void collect(Schema schema, ClassLoader loader, Set<String> seen) {
        switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> {
                if (!seen.add(schema.getFullName())) {
                    return;
                }
                try {
                    Class<?> c = Class.forName(SpecificData.getClassName(schema), false, loader);
                    if (SpecificRecord.class.isAssignableFrom(c) || c.isEnum() || GenericFixed.class.isAssignableFrom(c)) {
                        classes.put(schema.getFullName(), c);
                    }
                } catch (ClassNotFoundException | LinkageError e) {
                    // No generated class: Avro reads that part generically.
                }
                if (schema.getType() == Schema.Type.RECORD) {
                    for (Schema.Field field : schema.getFields()) {
                        collect(field.schema(), loader, seen);
                    }
                }
            }
            case ARRAY -> collect(schema.getElementType(), loader, seen);
            case MAP -> collect(schema.getValueType(), loader, seen);
            case UNION -> schema.getTypes().forEach(branch -> collect(branch, loader, seen));
            default -> {
            }
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Class getClass(Schema schema) {
        Class<?> trusted = switch (schema.getType()) {
            case RECORD, ENUM, FIXED -> classes.get(schema.getFullName());
            default -> null;
        };
        return trusted != null ? trusted : super.getClass(schema);
    }
}
