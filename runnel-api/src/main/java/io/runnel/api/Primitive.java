// SPDX-License-Identifier: Apache-2.0

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
 *
 * <p>Numbers and booleans are stored as text: Java's {@code Double.toString} spelling on
 * write ({@code Infinity}, {@code -Infinity}, {@code NaN}, which Python's {@code float()}
 * reads), and on read also Python's ({@code inf}, {@code -inf}, {@code nan}, {@code True},
 * {@code False}). A field that is missing, empty or not a valid value fails with a
 * {@link SerializationException} naming it; a missing field reads as {@code null} for a
 * boxed or {@code String} component.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Primitive {

    /**
     * How component names become stream field names; by default as declared. Use
     * {@link FieldNames#SNAKE_CASE} to share a stream with Python runnel, whose fields are
     * usually snake_case.
     *
     * @return the naming rule for the record's fields
     */
    FieldNames fieldNames() default FieldNames.AS_DECLARED;

    /** A naming rule from record component names to stream field names. */
    enum FieldNames {
        /** The component name as declared: {@code userId} stays {@code userId}. */
        AS_DECLARED,
        /**
         * snake_case: {@code userId} is {@code user_id}, {@code userID} is {@code user_id}, a
         * name already in snake_case stays as it is. The same names Jackson's
         * {@code PropertyNamingStrategies.SNAKE_CASE} gives JSON members, so a record reads
         * the same field names whether it is primitive or JSON.
         */
        SNAKE_CASE;

        /**
         * The stream field name of a record component.
         *
         * @param componentName the component's name as declared in the record
         * @return the name of the stream field that holds it
         */
        public String fieldName(String componentName) {
            return switch (this) {
                case AS_DECLARED -> componentName;
                case SNAKE_CASE -> snakeCase(componentName);
            };
        }

        /*
         * An upper-case letter starts a new word unless the one before it did too (so an
         * acronym stays one word) or an underscore already separates it; a leading
         * underscore is dropped. This is Jackson's rule, kept identical on purpose.
         */
        private static String snakeCase(String name) {
            StringBuilder out = new StringBuilder(name.length() + 4);
            boolean previousUpper = false;
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (i == 0 && c == '_') {
                    continue;
                }
                if (Character.isUpperCase(c)) {
                    if (!previousUpper && !out.isEmpty() && out.charAt(out.length() - 1) != '_') {
                        out.append('_');
                    }
                    c = Character.toLowerCase(c);
                    previousUpper = true;
                } else {
                    previousUpper = false;
                }
                out.append(c);
            }
            return out.toString();
        }
    }
}
