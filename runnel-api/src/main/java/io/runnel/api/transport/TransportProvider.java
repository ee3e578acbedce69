// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

/**
 * Creates transports; found on the classpath with {@link java.util.ServiceLoader}
 * (list the implementation in {@code META-INF/services/io.runnel.api.transport.TransportProvider}).
 * Putting a transport's jar on the classpath is all it takes to use it.
 */
public interface TransportProvider {

    /** Short name used by the {@code transport} setting, e.g. {@code lettuce}, {@code jedis}, {@code memory}. */
    String name();

    /** Whether this provider can open the URL (usually decided by its scheme). */
    boolean supports(ConnectionUrl url);

    /** Preference when several providers support a URL and none was named; higher wins. */
    default int priority() {
        return 0;
    }

    /** Opens a transport. Fails with {@link TransportException} if the server can't be reached. */
    Transport open(ConnectionUrl url);
}
