// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Middleware;
import io.runnel.api.transport.ServerAddress;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Observes an app's sends and deliveries, for tracing: a module brings one, found on the
 * classpath with {@link java.util.ServiceLoader} when the app is built (as
 * {@code runnel-otel} brings OpenTelemetry's). With none on the classpath, sending and
 * processing pay nothing for this.
 */
public interface Instrumentation {

    /**
     * Called on the sending thread before a send's entries go out, with the entries' fields
     * in send order: it may add fields to them (what it adds is sent).
     *
     * @param destination where the entries go
     * @param entries     each entry's fields, in send order; mutable, for the fields it adds
     * @return told once the send completed or failed; null when there is nothing to tell
     */
    default SendCompletion beforeSend(Destination destination, List<Map<String, byte[]>> entries) {
        return null;
    }

    /**
     * Middleware to run around every delivery of a processor, before (and so enclosing) the
     * processor's own; null for none. Called once, when the processor is registered.
     *
     * @param destination the stream the processor reads (its partition is empty: each delivery says its own)
     * @param processor   the processor's name
     * @return the middleware, or null
     */
    default Middleware middleware(Destination destination, String processor) {
        return null;
    }

    /**
     * A stream of an app, as sends and processors reach it.
     *
     * @param app       the app's name
     * @param stream    the stream's name
     * @param partition for a send whose entries all go to one partition, that partition; empty for
     *                  a send to several, and for a processor
     * @param server    the server the app's {@code redis_url} names (its first, for a Cluster or
     *                  Sentinel URL), without credentials; empty for the in-memory transport
     */
    record Destination(String app, String stream, OptionalInt partition, Optional<ServerAddress> server) {
    }

    /** The end of a send that {@link #beforeSend} saw. */
    @FunctionalInterface
    interface SendCompletion {
        /**
         * Tells how the send ended.
         *
         * @param ids   the stream ids of the entries, or null when the send failed
         * @param error why the send failed, or null
         */
        void completed(List<String> ids, Throwable error);
    }
}
