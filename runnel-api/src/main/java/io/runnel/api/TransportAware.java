// SPDX-License-Identifier: Apache-2.0

package io.runnel.api;

import io.runnel.api.transport.Transport;

/**
 * Implemented by a plugin that needs the app's connection, e.g. a serializer that keeps a
 * schema registry in Redis. The engine attaches the app's transport before the plugin's
 * first use by a stream (lazily: defining an app never needs a server). It may be called
 * more than once, with the same transport, when several streams share the plugin.
 */
public interface TransportAware {

    /**
     * Gives the plugin the app's transport.
     *
     * @param transport the app's transport; do not close it
     * @param appName   the app's name, for key prefixes
     */
    void attach(Transport transport, String appName);
}
