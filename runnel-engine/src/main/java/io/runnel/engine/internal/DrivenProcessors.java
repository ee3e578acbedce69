// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.internal;

import io.runnel.engine.App;

import java.time.Instant;
import java.util.Objects;

/**
 * <b>Not API</b>: opens a {@link DrivenProcessor} for {@code io.runnel.test.ProcessorTestDriver}
 * (artifact {@code runnel-test}). It may change or disappear in any release.
 *
 * <p>The engine's implementation is package-private in {@code io.runnel.engine}, where the
 * partition consumer, the locks and the acks are; this package cannot name it. So the engine
 * hands it over: loading the implementing class installs its {@link Opener} here (the way the
 * JDK's own packages share internals), and {@link #open} loads that class first.
 */
public final class DrivenProcessors {
    /** The engine class that installs the opener when it is loaded. */
    private static final String ENGINE_SIDE = "io.runnel.engine.DriverSession";

    private static volatile Opener opener;

    private DrivenProcessors() {
    }

    /** How the engine opens a driven processor. */
    @FunctionalInterface
    public interface Opener {
        /**
         * Opens one.
         *
         * @param app       the app
         * @param processor the name of one of its processors
         * @param start     the clock's first reading
         * @return the processor, its partitions held
         */
        DrivenProcessor<?> open(App app, String processor, Instant start);
    }

    /**
     * Takes every partition lock of a processor and returns it ready to run on the caller's
     * thread.
     *
     * @param app       the app
     * @param processor the name of one of its processors
     * @param start     the clock's first reading
     * @param <T>       the record type of the processor's stream, as the caller declares it
     * @return the processor, its partitions held
     * @throws io.runnel.api.Misconfigured if the app has no such processor
     * @throws IllegalStateException       if a running worker holds some of its partitions
     */
    @SuppressWarnings("unchecked")
    public static <T> DrivenProcessor<T> open(App app, String processor, Instant start) {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(processor, "processor");
        Objects.requireNonNull(start, "start");
        return (DrivenProcessor<T>) engine().open(app, processor, start);
    }

    /**
     * Called by the engine class that implements {@link DrivenProcessor}, once, when it is
     * loaded. Not for anyone else.
     *
     * @param engine how the engine opens a driven processor
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(Opener engine) {
        if (opener != null) {
            throw new IllegalStateException("the engine's opener is installed already");
        }
        opener = Objects.requireNonNull(engine, "engine");
    }

    private static Opener engine() {
        Opener installed = opener;
        if (installed == null) {
            try {
                Class.forName(ENGINE_SIDE, true, DrivenProcessors.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("runnel-engine has no " + ENGINE_SIDE
                        + ": runnel-test and runnel-engine must be of the same version", e);
            }
            installed = opener;
            if (installed == null) {
                throw new IllegalStateException(ENGINE_SIDE + " did not install its opener when loaded");
            }
        }
        return installed;
    }
}
