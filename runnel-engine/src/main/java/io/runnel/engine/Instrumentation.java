// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Middleware;

import java.util.List;
import java.util.Map;

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
     * @return told once the send completed or failed; null when there is nothing to tell
     */
    default SendCompletion beforeSend(String app, String stream, List<Map<String, byte[]>> entries) {
        return null;
    }

    /**
     * Middleware to run around every delivery of a processor, before (and so enclosing) the
     * processor's own; null for none. Called once, when the processor is registered.
     */
    default Middleware middleware(String app, String stream, String processor) {
        return null;
    }

    /** The end of a send that {@link #beforeSend} saw. */
    @FunctionalInterface
    interface SendCompletion {
        /**
         * @param ids   the stream ids of the entries, or null when the send failed
         * @param error why the send failed, or null
         */
        void completed(List<String> ids, Throwable error);
    }
}
