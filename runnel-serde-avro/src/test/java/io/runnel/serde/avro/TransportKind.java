// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportProvider;
import io.runnel.engine.App;

import java.util.ServiceLoader;

/** The transports the end-to-end tests run on: the test Redis through each client, and the in-memory store. */
enum TransportKind {
    LETTUCE("lettuce"), JEDIS("jedis"), MEMORY("memory");

    private final String providerName;

    TransportKind(String providerName) {
        this.providerName = providerName;
    }

    boolean isRedis() {
        return this != MEMORY;
    }

    /** The URL an app named {@code appName} uses: the test Redis, or an in-memory store named after the app. */
    String url(String appName, String redisUrl) {
        return this == MEMORY ? "memory://" + appName : redisUrl;
    }

    /** Points an app at this transport. */
    App.Builder configure(App.Builder builder, String appName, String redisUrl) {
        return builder.redisUrl(url(appName, redisUrl)).setting("transport", providerName);
    }

    /** A connection of the test's own to what an app named {@code appName} uses (the same memory store too). */
    Transport open(String appName, String redisUrl) {
        for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
            if (provider.name().equals(providerName)) {
                return provider.open(ConnectionUrl.parse(url(appName, redisUrl)));
            }
        }
        throw new IllegalStateException("no transport named " + providerName + " on the test classpath");
    }
}
