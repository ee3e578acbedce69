// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import io.runnel.api.Misconfigured;
import io.runnel.api.transport.TransportException;
import io.runnel.engine.App;
import io.runnel.engine.RunnelApp;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Finds the user's {@link App} by class name: a class implementing {@link RunnelApp} with a
 * no-argument constructor, or one declaring {@code static App app()}.
 */
final class AppLoader {
    private final ClassLoader loader;

    AppLoader(ClassLoader loader) {
        this.loader = loader;
    }

    App load(String className) {
        Class<?> type = find(className);
        if (RunnelApp.class.isAssignableFrom(type)) {
            return fromInterface(type);
        }
        Method factory = staticFactory(type);
        if (factory == null) {
            throw CliFailure.configuration("class " + className + " is not a Runnel app: implement "
                    + RunnelApp.class.getName() + " (with a no-argument constructor) or declare public static App app()");
        }
        return checked(className, invoke(className, () -> factory.invoke(null)));
    }

    private Class<?> find(String className) {
        try {
            return Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw CliFailure.configuration("class " + className + " is not on the classpath; add the application's "
                    + "classes with --classpath or RUNNEL_CLASSPATH");
        } catch (LinkageError e) {
            throw CliFailure.configuration("class " + className + " cannot be loaded: " + e);
        }
    }

    private App fromInterface(Class<?> type) {
        Constructor<?> constructor;
        try {
            constructor = type.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw CliFailure.configuration("class " + type.getName() + " implements RunnelApp but has no no-argument constructor");
        }
        if (Modifier.isAbstract(type.getModifiers())) {
            throw CliFailure.configuration("class " + type.getName() + " is abstract; name a concrete RunnelApp class");
        }
        constructor.setAccessible(true);
        RunnelApp app = (RunnelApp) invoke(type.getName(), constructor::newInstance);
        return checked(type.getName(), invoke(type.getName(), app::app));
    }

    private static Method staticFactory(Class<?> type) {
        try {
            Method m = type.getDeclaredMethod("app");
            if (Modifier.isStatic(m.getModifiers()) && App.class.isAssignableFrom(m.getReturnType())) {
                m.setAccessible(true);
                return m;
            }
            return null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static App checked(String className, Object app) {
        if (app == null) {
            throw CliFailure.configuration(className + " returned no app (null)");
        }
        return (App) app;
    }

    @FunctionalInterface
    private interface Call {
        Object call() throws Exception;
    }

    /** Runs the user's code, turning what it throws into a message about the app. */
    private static Object invoke(String className, Call call) {
        try {
            return call.call();
        } catch (InvocationTargetException e) {
            throw translate(className, e.getCause());
        } catch (RuntimeException e) {
            throw translate(className, e);
        } catch (Exception | LinkageError e) {
            throw CliFailure.configuration("could not create the app of " + className + ": " + e);
        }
    }

    private static RuntimeException translate(String className, Throwable cause) {
        if (cause instanceof TransportException transport) {
            return transport; // Redis unreachable while the app was built: exit code UNAVAILABLE
        }
        if (cause instanceof Misconfigured misconfigured) {
            return CliFailure.configuration(misconfigured.getMessage());
        }
        return CliFailure.configuration("the app of " + className + " failed while being defined: " + cause);
    }
}
