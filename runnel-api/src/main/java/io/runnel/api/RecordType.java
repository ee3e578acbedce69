// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Describes an event type: a plain Java {@code record}'s components, whether it is
 * {@link Primitive primitive}, and how to build one from component values. Users never
 * extend anything; Runnel derives this from the record class. Other classes (for example
 * Avro-generated {@code SpecificRecord}s) are <em>opaque</em> structured types: no
 * components, never primitive, and their serializer alone knows their shape.
 *
 * @param <T> the record class
 */
public final class RecordType<T> {
    private static final Set<Class<?>> PRIMITIVE_TYPES = Set.of(
            int.class, Integer.class, long.class, Long.class, double.class, Double.class,
            float.class, Float.class, boolean.class, Boolean.class, String.class, byte[].class);
    private static final Map<Class<?>, RecordType<?>> CACHE = new ConcurrentHashMap<>();

    private final Class<T> type;
    private final List<Component> components;
    private final Map<String, Component> byName;
    private final boolean primitive;
    private final Constructor<T> constructor;

    private RecordType(Class<T> type) {
        this.type = type;
        if (!type.isRecord()) {
            // An opaque structured type (an Avro SpecificRecord, a POJO): the serializer alone
            // knows its shape. It cannot be primitive and has no components to partition by.
            if (type.isAnnotationPresent(Primitive.class)) {
                throw new Misconfigured(type.getName() + " is marked @Primitive but is not a Java record");
            }
            this.components = List.of();
            this.byName = Map.of();
            this.primitive = false;
            this.constructor = null;
            return;
        }
        RecordComponent[] rc = type.getRecordComponents();
        List<Component> list = new ArrayList<>(rc.length);
        Map<String, Component> names = new LinkedHashMap<>();
        Class<?>[] parameterTypes = new Class<?>[rc.length];
        for (int i = 0; i < rc.length; i++) {
            Method accessor = rc[i].getAccessor();
            accessor.setAccessible(true);
            Component c = new Component(rc[i].getName(), rc[i].getType(), rc[i].getGenericType(), accessor);
            list.add(c);
            names.put(c.name(), c);
            parameterTypes[i] = rc[i].getType();
        }
        this.components = Collections.unmodifiableList(list);
        this.byName = Collections.unmodifiableMap(names);
        this.primitive = type.isAnnotationPresent(Primitive.class);
        if (primitive) {
            for (Component c : list) {
                if (!PRIMITIVE_TYPES.contains(c.type())) {
                    throw new Misconfigured("primitive record " + type.getSimpleName() + " has component '"
                            + c.name() + "' of type " + c.genericType().getTypeName()
                            + ": primitive records allow only int, long, double, float, boolean, String and byte[]"
                            + " (remove @Primitive to store it as structured data)");
                }
            }
        }
        try {
            this.constructor = type.getDeclaredConstructor(parameterTypes);
            this.constructor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new Misconfigured("record " + type.getName() + " has no canonical constructor", e);
        }
    }

    /**
     * The description of a record class (cached).
     *
     * @param <T>  the record class
     * @param type the record class, or an opaque structured class
     * @return its description, the same instance for every call with {@code type}
     * @throws Misconfigured if the class is a primitive record with a component that is not
     *                       a primitive type, or is marked primitive without being a record
     */
    @SuppressWarnings("unchecked")
    public static <T> RecordType<T> of(Class<T> type) {
        Objects.requireNonNull(type, "type");
        return (RecordType<T>) CACHE.computeIfAbsent(type, RecordType::new);
    }

    /**
     * The class described.
     *
     * @return the record class, or the opaque structured class
     */
    public Class<T> type() {
        return type;
    }

    /**
     * Components in declaration order.
     *
     * @return the record's components; empty for an opaque type
     */
    public List<Component> components() {
        return components;
    }

    /**
     * Whether the type is a Java record (else it is opaque: see the class documentation).
     *
     * @return true for a Java record
     */
    public boolean isRecord() {
        return type.isRecord();
    }

    /**
     * Whether each component maps to its own stream field (see {@link Primitive}).
     *
     * @return true when the record is marked {@link Primitive}
     */
    public boolean primitive() {
        return primitive;
    }

    /**
     * A component by name.
     *
     * @param name the component's name as declared
     * @return the component
     * @throws Misconfigured naming the record and its components when there is none
     */
    public Component component(String name) {
        Component c = byName.get(name);
        if (c == null && !type.isRecord()) {
            throw new Misconfigured(type.getSimpleName() + " is not a Java record, so it has no component '" + name
                    + "' to partition by: pass a key function instead");
        }
        if (c == null) {
            throw new Misconfigured("record " + type.getSimpleName() + " has no component '" + name
                    + "'; its components are " + byName.keySet());
        }
        return c;
    }

    /**
     * Builds a record from component values given in declaration order.
     *
     * @param values one value per component, in declaration order, each of its type
     * @return the new record
     * @throws SerializationException if the type is opaque, the values do not fit the
     *                                components, or the record's constructor throws
     */
    public T construct(Object... values) {
        if (constructor == null) {
            throw new SerializationException(type.getSimpleName() + " is not a Java record; its serializer must build it");
        }
        try {
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new SerializationException("cannot construct " + type.getSimpleName() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new SerializationException("cannot construct " + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "RecordType[" + type.getName() + (primitive ? ", primitive" : "") + "]";
    }

    /**
     * One record component.
     *
     * @param name        component name
     * @param type        erased type
     * @param genericType full generic type (e.g. {@code List<Item>})
     * @param accessor    the accessor method
     */
    public record Component(String name, Class<?> type, Type genericType, Method accessor) {

        /**
         * This component's value in a record.
         *
         * @param record a record of the type this component belongs to
         * @return the value its accessor returns (boxed for a primitive type)
         * @throws RunnelException if the accessor throws or cannot be called
         */
        public Object get(Object record) {
            try {
                return accessor.invoke(record);
            } catch (InvocationTargetException e) {
                throw new RunnelException("accessor " + name + "() failed", e.getCause());
            } catch (IllegalAccessException e) {
                throw new RunnelException("accessor " + name + "() is not accessible", e);
            }
        }
    }
}
