// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.transport.Transport;

import java.util.List;
import java.util.OptionalInt;

/**
 * What a stream, its processors and their helpers need of the app that defines them: its
 * name, connection, settings and plug-ins. The {@link App} hands one to each stream, so that
 * the parts below the app depend on this view rather than on the app itself.
 */
interface StreamHost {
    /** The app's name, the first part of every key. */
    String name();

    Settings settings();

    Transport transport();

    /** Whether the app runs on a Redis Cluster, where every key of a partition carries its hash tag. */
    boolean onCluster();

    /** The instrumentation modules on the classpath. */
    List<Instrumentation> instrumentation();

    /** Where the instrumentation sees a stream of this app; {@code partition} only for a send to one. */
    Instrumentation.Destination destination(String stream, OptionalInt partition);

    /** Sends refused for a full memory, made visible. */
    SendRefusals sendRefusals();

    /** Defines a stream the engine makes (a dead-letter stream) in the app. */
    <T> Stream<T> register(Stream<T> stream);
}
