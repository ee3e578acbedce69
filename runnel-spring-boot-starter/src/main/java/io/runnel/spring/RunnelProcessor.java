// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.api.ExceptionPolicy;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method a Runnel processor of a stream defined as a bean
 * ({@code @Bean Stream<Order> orders(App app)}). The method takes either the stream's
 * {@link io.runnel.engine.Events} (the processor's whole loop, as in
 * {@code app.processor(...)}) or one record of the stream's type (called once per event, in
 * order; the event is acknowledged when it returns). Registered once every singleton exists;
 * the worker starts with the application context.
 *
 * <pre>{@code
 * @RunnelProcessor(stream = "orders", name = "billing")
 * void bill(Order order) { ... }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RunnelProcessor {

    /** The stream's name. */
    String stream();

    /** The processor's name (its consumer group); the method's name when empty. */
    String name() default "";

    /** The exception policy; the {@code default_exception_policy} setting when empty. */
    Policy exceptionPolicy() default Policy.DEFAULT;

    /** Whether failed deliveries go to the dead-letter stream ({@code ProcessorOptions.deadLetters()}). */
    boolean deadLetters() default false;

    /** An {@link ExceptionPolicy}, or the app's default. */
    enum Policy {
        DEFAULT, HALT, QUARANTINE, IGNORE, PARK;

        ExceptionPolicy policy() {
            return this == DEFAULT ? null : ExceptionPolicy.valueOf(name());
        }
    }
}
