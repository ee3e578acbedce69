// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.util.function.Supplier;

/**
 * One fixture for the whole JVM, started on first use and closed when the JVM exits. A
 * failed start is remembered, so every test using it reports that failure at once instead
 * of trying again.
 */
final class SharedFixture<T extends AutoCloseable> {
    private final Supplier<T> start;
    private final String name;
    private T fixture;
    private RuntimeException failure;

    /** @param name names the shutdown hook's thread */
    SharedFixture(String name, Supplier<T> start) {
        this.name = name;
        this.start = start;
    }

    synchronized T get() {
        if (fixture != null) {
            return fixture;
        }
        if (failure != null) {
            throw failure;
        }
        try {
            fixture = start.get();
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        }
        T started = fixture;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.close();
            } catch (Exception e) {
                // The JVM is exiting; the fixture's processes die with it anyway.
            }
        }, name));
        return started;
    }
}
