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
 * {@code app.processor(...)}), one record of the stream's type (called once per event, in
 * order; the event is acknowledged when it returns), or a record and a
 * {@link io.runnel.engine.ProcessingContext} (to send and keep keyed state, committed with the
 * event's acknowledgement; see {@link #processingGuarantee()}). Registered once every
 * singleton exists; the worker starts with the application context.
 *
 * <pre>{@code
 * @RunnelProcessor(stream = "orders", name = "billing", retryAttempts = 3, maxProcessingTime = "30s",
 *                  sendTo = "invoices")
 * Invoice bill(Order order) { ... }
 * }</pre>
 *
 * <p>The attributes left at their defaults take the app's {@code default_*} settings. Text
 * attributes may hold placeholders ({@code "${billing.timeout:30s}"}); durations take the
 * settings' forms ({@code 250ms}, {@code 30s}, {@code PT30S}, or a bare number in the
 * setting's unit). A value out of range fails startup naming the method and the option.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface RunnelProcessor {

    /**
     * The stream's name.
     *
     * @return the name of a stream defined as a bean
     */
    String stream();

    /**
     * The processor's name (its consumer group); the method's name when empty.
     *
     * @return the processor's name, or empty
     */
    String name() default "";

    /**
     * The exception policy; the {@code default_exception_policy} setting when empty.
     *
     * @return the policy, or {@link Policy#DEFAULT}
     */
    Policy exceptionPolicy() default Policy.DEFAULT;

    /**
     * Whether failed deliveries go to the dead-letter stream ({@code ProcessorOptions.deadLetters()}).
     *
     * @return true to forward failed deliveries
     */
    boolean deadLetters() default false;

    /**
     * Tries of a failed delivery in all, in place, before the exception policy applies (1: no retry); 0 for {@code default_retry_attempts}.
     *
     * @return the number of tries, or 0
     */
    int retryAttempts() default 0;

    /**
     * The pause after the first failed try ({@code "200ms"}); empty for {@code default_retry_backoff}.
     *
     * @return the pause, or empty
     */
    String retryBackoff() default "";

    /**
     * The longest pause between tries ({@code "5s"}); empty for {@code default_retry_max_backoff}.
     *
     * @return the longest pause, or empty
     */
    String retryMaxBackoff() default "";

    /**
     * Events read at once, and buffered, per owned partition; 0 for {@code default_prefetch_count}.
     *
     * @return the number of events, or 0
     */
    int prefetchCount() default 0;

    /**
     * For a method that takes one record: deliveries of different partition keys run at once
     * per owned partition, each on its own virtual thread, while each key's records still run
     * one after another, in order; 0 for {@code default_max_in_flight} (which is 1: one at a
     * time). The method must then be safe to call from several threads at once. Above 1 on a
     * method that takes {@code Events}, or on a stream without a key, fails at start.
     *
     * @return the most deliveries at once per partition, or 0
     */
    int maxInFlight() default 0;

    /**
     * For a method that takes a record and a {@code ProcessingContext}: {@code "exactly_once"}
     * to commit what it sends (through the context, or by returning it with {@link #sendTo()})
     * and writes to state atomically with the event's acknowledgement; empty for
     * {@code default_processing_guarantee} (which is {@code at_least_once}). On another method,
     * {@code exactly_once} fails at start.
     *
     * @return {@code at_least_once}, {@code exactly_once}, or empty
     */
    String processingGuarantee() default "";

    /**
     * Concurrent reads (connections) of this processor per worker; 0 for {@code default_pool_size}.
     *
     * @return the number of concurrent reads, or 0
     */
    int poolSize() default 0;

    /**
     * How long one delivery may stay with the method before it is interrupted and fails with
     * {@code ProcessingTimeout} ({@code "30s"}); empty for {@code default_max_processing_time}.
     *
     * @return the longest time, or empty
     */
    String maxProcessingTime() default "";

    /**
     * The stream a non-null return value is sent to (a stream bean of the return value's
     * type); empty for none. Only for a method that takes one record. The send happens before
     * the event is acknowledged, so it is at-least-once like the rest: a crash between the
     * two runs the method again on the event's next delivery, and sends again. Consumers of
     * that stream should tolerate duplicates (key them by something the input determines).
     *
     * @return the name of a stream bean, or empty
     */
    String sendTo() default "";

    /** An {@link ExceptionPolicy}, or the app's default. */
    enum Policy {
        /** The app's {@code default_exception_policy}. */
        DEFAULT,
        /** {@link ExceptionPolicy#HALT}. */
        HALT,
        /** {@link ExceptionPolicy#QUARANTINE}. */
        QUARANTINE,
        /** {@link ExceptionPolicy#IGNORE}. */
        IGNORE,
        /** {@link ExceptionPolicy#PARK}. */
        PARK;

        ExceptionPolicy policy() {
            return this == DEFAULT ? null : ExceptionPolicy.valueOf(name());
        }
    }
}
