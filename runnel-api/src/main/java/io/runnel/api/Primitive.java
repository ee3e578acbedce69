package io.runnel.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record type as <em>primitive</em>: each component is stored as its own native
 * stream field instead of one serialized {@code data} field. Components must be
 * {@code int, long, double, float, boolean, String, byte[]} (or their boxes). Primitive
 * records skip serialization entirely and are readable by any Redis tool.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Primitive {
}
