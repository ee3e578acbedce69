// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;

import java.util.List;
import java.util.OptionalInt;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a stream, its processors and their helpers need of the app that defines them: its
 * name, connection, settings and plug-ins. The {@link App} hands one to each stream, so that
 * the parts below the app depend on this view rather than on the app itself.
 */
final class StreamHost {
    private final String name;
    private final Settings settings;
    private final Supplier<Transport> transport;
    private final boolean onCluster;
    private final List<Instrumentation> instrumentation;
    private final BiFunction<String, OptionalInt, Instrumentation.Destination> destinations;
    private final SendRefusals sendRefusals;
    private final Consumer<Stream<?>> register;

    StreamHost(String name, Settings settings, Supplier<Transport> transport, boolean onCluster,
               List<Instrumentation> instrumentation,
               BiFunction<String, OptionalInt, Instrumentation.Destination> destinations,
               SendRefusals sendRefusals, Consumer<Stream<?>> register) {
        this.name = name;
        this.settings = settings;
        this.transport = transport;
        this.onCluster = onCluster;
        this.instrumentation = instrumentation;
        this.destinations = destinations;
        this.sendRefusals = sendRefusals;
        this.register = register;
    }

    /** The app's name, the first part of every key. */
    String name() {
        return name;
    }

    Settings settings() {
        return settings;
    }

    /** The app's connection, opened on first use. */
    Transport transport() {
        return transport.get();
    }

    /** Whether the app runs on a Redis Cluster, where every key of a partition carries its hash tag. */
    boolean onCluster() {
        return onCluster;
    }

    /** The instrumentation modules on the classpath. */
    List<Instrumentation> instrumentation() {
        return instrumentation;
    }

    /** Where the instrumentation sees a stream of this app; {@code partition} only for a send to one. */
    Instrumentation.Destination destination(String stream, OptionalInt partition) {
        return destinations.apply(stream, partition);
    }

    /** Sends refused for a full memory, made visible. */
    SendRefusals sendRefusals() {
        return sendRefusals;
    }

    /** Defines a stream the engine makes (a dead-letter stream) in the app. */
    <T> Stream<T> register(Stream<T> stream) {
        register.accept(stream);
        return stream;
    }
}
