// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.App;
import io.runnel.engine.Events;
import io.runnel.engine.ProcessorFunction;
import io.runnel.engine.Stream;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the {@link RunnelProcessor} methods of the context's beans and registers them as
 * processors once every singleton exists (so the stream beans they name do).
 */
final class ProcessorMethods implements BeanPostProcessor, SmartInitializingSingleton {
    private final ObjectProvider<App> app;
    private final List<Found> found = new ArrayList<>();

    private record Found(Object bean, Method method, RunnelProcessor annotation) {
    }

    ProcessorMethods(ObjectProvider<App> app) {
        this.app = app;
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
            register(theApp, f);
        }
    }

    private static void register(App app, Found f) {
        Method method = f.method();
        if (method.getParameterCount() != 1) {
            throw new IllegalStateException("@RunnelProcessor method " + method + " must take one parameter: "
                    + "Events<T> or a record of the stream's type");
        }
        Stream<?> stream = app.streamNamed(f.annotation().stream());
        String name = f.annotation().name().isEmpty() ? method.getName() : f.annotation().name();
        method.setAccessible(true);
        Class<?> parameter = method.getParameterTypes()[0];
        boolean wholeLoop = Events.class.isAssignableFrom(parameter);
        if (!wholeLoop && !parameter.isAssignableFrom(stream.recordType().type())) {
            throw new IllegalStateException("@RunnelProcessor method " + method + " takes " + parameter.getName()
                    + " but stream " + stream.name() + " carries " + stream.recordType().type().getName());
        }
        register(app, stream, name, f, wholeLoop);
    }

    private static <T> void register(App app, Stream<T> stream, String name, Found f, boolean wholeLoop) {
        ProcessorFunction<T> function = wholeLoop
                ? events -> invoke(f, events)
                : events -> {
                    for (T record : events.records()) {
                        invoke(f, record);
                    }
                };
        app.processor(stream, name, o -> {
            if (f.annotation().exceptionPolicy().policy() != null) {
                o.exceptionPolicy(f.annotation().exceptionPolicy().policy());
            }
            if (f.annotation().deadLetters()) {
                o.deadLetters();
            }
        }, function);
    }

    /** Calls the method; what it throws is the processor's failure, as if thrown by the function. */
    private static void invoke(Found f, Object argument) throws Exception {
        try {
            f.method().invoke(f.bean(), argument);
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
