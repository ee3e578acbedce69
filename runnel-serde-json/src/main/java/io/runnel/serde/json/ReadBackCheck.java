// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.json;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.AbstractDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.DefaultDeserializationContext;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.deser.impl.UnsupportedTypeDeserializer;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a mapper can read back what it writes for a type, asked once when a stream is
 * defined. Jackson builds a deserializer for an abstract class or an interface without
 * complaint and fails only on the first value, and so for a class it has no way to create;
 * a stream of such records would fail on every event. So the check walks the type's
 * properties, through containers and optionals, and reports the first one Jackson could
 * never construct: an abstract type with neither type information ({@code @JsonTypeInfo},
 * on the type or the property) nor a deserializer of its own, a class without a creator, or a
 * type Jackson leaves to a module that the mapper lacks.
 */
final class ReadBackCheck {
    private final ObjectMapper mapper;
    private final DeserializationContext context;

    ReadBackCheck(ObjectMapper mapper) {
        this.mapper = mapper;
        DeserializationConfig config = mapper.getDeserializationConfig();
        this.context = ((DefaultDeserializationContext) mapper.getDeserializationContext())
                .createInstance(config, null, mapper.getInjectableValues());
    }

    /** Empty when values of {@code type} can be read back, else why not and where. */
    Optional<String> problem(Class<?> type) {
        return walk(mapper.constructType(type), type.getSimpleName(), new HashSet<>());
    }

    private Optional<String> walk(JavaType type, String path, Set<JavaType> seen) {
        if (!seen.add(type) || hasTypeInformation(type)) {
            return Optional.empty();
        }
        if (type.isContainerType() || type.isReferenceType()) {
            JavaType content = type.getContentType();
            return content == null ? Optional.empty() : walk(content, path + "[]", seen);
        }
        JsonDeserializer<?> deserializer;
        try {
            deserializer = context.findRootValueDeserializer(type);
        } catch (JsonMappingException e) {
            return Optional.of(path + ": " + e.getOriginalMessage());
        }
        if (deserializer instanceof AbstractDeserializer) {
            return Optional.of(path + ": " + type.getRawClass().getName() + " is "
                    + (type.isInterface() ? "an interface" : "abstract") + " and Jackson has no way to pick a concrete "
                    + "class for it: annotate it with @JsonTypeInfo and @JsonSubTypes, use a concrete type, or register "
                    + "a deserializer for it in the ObjectMapper");
        }
        if (deserializer instanceof UnsupportedTypeDeserializer) {
            return Optional.of(path + ": Jackson reads no " + type.getRawClass().getName() + " without a module "
                    + "(e.g. jackson-datatype-jdk8 for Optional); register it in the ObjectMapper");
        }
        if (deserializer instanceof BeanDeserializerBase bean) {
            if (!bean.getValueInstantiator().canInstantiate()) {
                return Optional.of(path + ": Jackson cannot create a " + type.getRawClass().getName()
                        + " (no default constructor, no @JsonCreator, not a record)");
            }
            for (Iterator<SettableBeanProperty> properties = bean.properties(); properties.hasNext(); ) {
                SettableBeanProperty property = properties.next();
                if (property.getValueTypeDeserializer() != null || property.getAnnotation(JsonTypeInfo.class) != null) {
                    continue; // the concrete class comes with each value
                }
                Optional<String> found = walk(property.getType(), path + "." + property.getName(), seen);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    private boolean hasTypeInformation(JavaType type) {
        try {
            return context.getFactory().findTypeDeserializer(mapper.getDeserializationConfig(), type) != null;
        } catch (JsonMappingException e) {
            return false;
        }
    }
}
