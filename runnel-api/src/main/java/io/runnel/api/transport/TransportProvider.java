// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

/**
 * Creates transports; found on the classpath with {@link java.util.ServiceLoader}
 * (list the implementation in {@code META-INF/services/io.runnel.api.transport.TransportProvider}).
 * Putting a transport's jar on the classpath is all it takes to use it.
 */
public interface TransportProvider {

    /**
     * Short name used by the {@code transport} setting, e.g. {@code lettuce}, {@code jedis}, {@code memory}.
     *
     * @return the name, unique among the providers on the classpath
     */
    String name();

    /**
     * Whether this provider can open the URL (usually decided by its scheme).
     *
     * @param url the app's {@code redis_url}
     * @return true when {@link #open(ConnectionUrl)} can serve it
     */
    boolean supports(ConnectionUrl url);

    /**
     * Preference when several providers support a URL and none was named; higher wins.
     *
     * @return the preference; 0 by default
     */
    default int priority() {
        return 0;
    }

    /**
     * Opens a transport. Fails with {@link TransportException} if the server can't be reached.
     *
     * @param url the app's {@code redis_url}, one that {@link #supports(ConnectionUrl)} accepts
     * @return a new transport, which the caller closes
     */
    Transport open(ConnectionUrl url);
}
