// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * A real transport with one method wrapped, for tests that need to see or disturb calls
 * (count concurrent reads, lose a reply). Every call still reaches the real server.
 */
final class Intercepted {

    /** What to do around a call of the intercepted method; {@code proceed} makes the real call. */
    @FunctionalInterface
    interface Around {
        Object call(Object[] args, Proceed proceed) throws Throwable;
    }

    @FunctionalInterface
    interface Proceed {
        Object call() throws Throwable;
    }

    private Intercepted() {
    }

    static Transport method(Transport real, String name, Around around) {
        return (Transport) Proxy.newProxyInstance(Transport.class.getClassLoader(), new Class<?>[] {Transport.class},
                (proxy, method, args) -> {
                    Proceed proceed = () -> invoke(real, method, args);
                    return method.getName().equals(name) ? around.call(args, proceed) : proceed.call();
                });
    }

    private static Object invoke(Transport real, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(real, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
