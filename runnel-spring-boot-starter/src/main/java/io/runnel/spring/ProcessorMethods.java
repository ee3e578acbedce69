// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import io.runnel.engine.Events;
import io.runnel.engine.ProcessingContext;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.ProcessorOptions;
import io.runnel.engine.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.EmbeddedValueResolverAware;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringValueResolver;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Finds the {@link RunnelProcessor} methods of the context's beans and registers them as
 * processors once every singleton exists (so the stream beans they name do).
 */
final class ProcessorMethods implements BeanPostProcessor, SmartInitializingSingleton, EmbeddedValueResolverAware {
    private static final Logger log = LoggerFactory.getLogger(ProcessorMethods.class);

    private final ObjectProvider<App> app;
    private final List<Found> found = new ArrayList<>();
    private StringValueResolver placeholders = text -> text;

    private record Found(Object bean, Method method, RunnelProcessor annotation) {
        /** {@code Billing.bill(Order)}, as messages name it. */
        String describe() {
            return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "("
                    + String.join(", ", Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).toList())
                    + ")";
        }
    }

    ProcessorMethods(ObjectProvider<App> app) {
        this.app = app;
    }

    @Override
    public void setEmbeddedValueResolver(StringValueResolver resolver) {
        this.placeholders = resolver;
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        Map<Method, RunnelProcessor> methods = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<RunnelProcessor>) m ->
                        AnnotatedElementUtils.findMergedAnnotation(m, RunnelProcessor.class));
        methods.forEach((method, annotation) -> found.add(new Found(bean, method, annotation)));
        return bean;
    }

    @Override
    public void afterSingletonsInstantiated() {
        App theApp = app.getObject();
        for (Found f : found) {
            try {
                register(theApp, f);
            } catch (Misconfigured e) {
                throw new Misconfigured("@RunnelProcessor " + f.describe() + ": " + e.getMessage(), e);
            }
        }
    }

    private void register(App app, Found f) {
        Method method = f.method();
        boolean withContext = method.getParameterCount() == 2
                && method.getParameterTypes()[1] == ProcessingContext.class;
        if (method.getParameterCount() != 1 && !withContext) {
            throw new Misconfigured("the method must take one parameter (Events<T> or a record of the stream's type), "
                    + "or a record and a ProcessingContext");
        }
        Stream<?> stream = app.streamNamed(text(f.annotation().stream()));
        String name = f.annotation().name().isEmpty() ? method.getName() : text(f.annotation().name());
        method.setAccessible(true);
        Class<?> parameter = method.getParameterTypes()[0];
        boolean wholeLoop = !withContext && Events.class.isAssignableFrom(parameter);
        if (!wholeLoop && !parameter.isAssignableFrom(stream.recordType().type())) {
            throw new Misconfigured("it takes " + parameter.getName() + " but stream " + stream.name() + " carries "
                    + stream.recordType().type().getName());
        }
        Stream<?> sendTo = sendTo(app, f, wholeLoop);
        register(app, stream, name, f, wholeLoop, withContext, sendTo);
    }

    /** The stream {@code sendTo} names, checked against the method; null for none. */
    private Stream<?> sendTo(App app, Found f, boolean wholeLoop) {
        Class<?> returns = f.method().getReturnType();
        if (f.annotation().sendTo().isEmpty()) {
            if (returns != void.class && !wholeLoop) {
                log.warn("@RunnelProcessor {} returns {} but has no sendTo: what it returns is dropped", f.describe(),
                        returns.getSimpleName());
            }
            return null;
        }
        Stream<?> target = app.streamNamed(text(f.annotation().sendTo()));
        if (wholeLoop) {
            throw new Misconfigured("sendTo needs a method that takes one record and returns what to send; "
                    + "this one takes Events (send from the loop instead)");
        }
        if (!target.recordType().type().isAssignableFrom(returns)) {
            throw new Misconfigured("sendTo = \"" + target.name() + "\": the method returns " + returns.getName()
                    + " but stream " + target.name() + " carries " + target.recordType().type().getName());
        }
        return target;
    }

    private <T> void register(App app, Stream<T> stream, String name, Found f, boolean wholeLoop, boolean withContext,
                              Stream<?> sendTo) {
        ProcessorFunction<T> function;
        if (wholeLoop) {
            function = events -> invoke(f, events);
        } else if (withContext) {
            function = ProcessorFunction.<T>eachRecordWithContext((record, context) -> {
                Object result = invoke(f, record, context);
                if (result != null && sendTo != null) {
                    send(context, sendTo, result); // staged with the delivery: under exactly_once it commits with it
                }
            });
        } else {
            function = ProcessorFunction.<T>eachRecord(record -> {
                Object result = invoke(f, record);
                if (result != null && sendTo != null) {
                    send(sendTo, result); // before the record completes, which acknowledges it
                }
            });
        }
        app.processor(stream, name, o -> options(f.annotation(), o), function);
    }

    /** The annotation's attributes as the processor's overrides of the {@code default_*} settings. */
    private void options(RunnelProcessor a, ProcessorOptions o) {
        if (a.exceptionPolicy().policy() != null) {
            o.exceptionPolicy(a.exceptionPolicy().policy());
        }
        if (a.deadLetters()) {
            o.deadLetters();
        }
        if (a.retryAttempts() != 0) {
            o.setting("retry_attempts", a.retryAttempts());
        }
        if (!a.retryBackoff().isEmpty()) {
            o.setting("retry_backoff", text(a.retryBackoff()));
        }
        if (!a.retryMaxBackoff().isEmpty()) {
            o.setting("retry_max_backoff", text(a.retryMaxBackoff()));
        }
        if (a.prefetchCount() != 0) {
            o.setting("prefetch_count", a.prefetchCount());
        }
        if (a.maxInFlight() != 0) {
            o.maxInFlight(a.maxInFlight());
        }
        if (!a.processingGuarantee().isEmpty()) {
            o.setting("processing_guarantee", text(a.processingGuarantee()));
        }
        if (a.poolSize() != 0) {
            o.setting("pool_size", a.poolSize());
        }
        if (!a.maxProcessingTime().isEmpty()) {
            o.setting("max_processing_time", text(a.maxProcessingTime()));
        }
    }

    /** An attribute's text with its placeholders resolved. */
    private String text(String attribute) {
        String resolved = placeholders.resolveStringValue(attribute);
        return resolved == null ? attribute : resolved;
    }

    private static <R> void send(Stream<R> target, Object value) {
        target.send(target.recordType().type().cast(value));
    }

    private static <R> void send(ProcessingContext context, Stream<R> target, Object value) {
        context.send(target, target.recordType().type().cast(value));
    }

    /** Calls the method; what it throws is the processor's failure, as if thrown by the function. */
    private static Object invoke(Found f, Object... arguments) throws Exception {
        try {
            return f.method().invoke(f.bean(), arguments);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
