// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Compressor;
import io.runnel.api.Hasher;
import io.runnel.api.Serializer;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds plugins on the classpath with {@link ServiceLoader}: putting a transport's or a
 * serializer's jar on the classpath is all it takes, and a setting picks by name when there
 * are several.
 */
final class Plugins {
    private Plugins() {
    }

    /** Opens the transport the settings ask for (by name), else the preferred one for the URL's scheme. */
    static Transport openTransport(Settings settings) {
        ConnectionUrl url = ConnectionUrl.parse(settings.redisUrl());
        List<TransportProvider> providers = new ArrayList<>();
        ServiceLoader.load(TransportProvider.class).forEach(providers::add);
        List<String> names = providers.stream().map(TransportProvider::name).toList();
        if (settings.transport() != null) {
            TransportProvider chosen = providers.stream().filter(p -> p.name().equalsIgnoreCase(settings.transport()))
                    .findFirst()
                    .orElseThrow(() -> new InvalidSetting("transport", "setting transport (env RUNNEL_TRANSPORT) is '" + settings.transport()
                            + "' but no such transport is on the classpath; available: " + names));
            if (!chosen.supports(url)) {
                throw new InvalidSetting("transport", "transport " + chosen.name() + " cannot open redis_url " + url.redacted());
            }
            return chosen.open(url);
        }
        return providers.stream().filter(p -> p.supports(url))
                .max(Comparator.comparingInt(TransportProvider::priority))
                .orElseThrow(() -> new InvalidSetting("redis_url", "no transport on the classpath can open redis_url " + url.redacted()
                        + " (scheme '" + url.scheme() + "'; transports found: " + names
                        + "); add io.runnel:runnel-redis-lettuce or io.runnel:runnel-redis-jedis to your dependencies"))
                .open(url);
    }

    /** The serializer named by {@code default_serializer}, or the one on the classpath ({@code json} preferred). */
    static Optional<Serializer> serializer(String name) {
        List<Serializer> found = new ArrayList<>();
        ServiceLoader.load(Serializer.class).forEach(found::add);
        if (name != null) {
            return Optional.of(found.stream().filter(s -> s.name().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> new InvalidSetting("default_serializer", "setting default_serializer (env RUNNEL_DEFAULT_SERIALIZER) is '"
                            + name + "' but no such serializer is on the classpath; available: "
                            + found.stream().map(Serializer::name).toList())));
        }
        return found.stream().filter(s -> s.name().equals("json")).findFirst().or(() -> found.stream().findFirst());
    }

    /** The hasher named by {@code default_hasher}; the built-in Murmur3 when unset. */
    static Hasher hasher(String name) {
        if (name == null || name.equals("murmur3")) {
            return new Murmur3Hasher();
        }
        List<Hasher> found = new ArrayList<>();
        ServiceLoader.load(Hasher.class).forEach(found::add);
        return found.stream().filter(h -> h.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new InvalidSetting("default_hasher", "setting default_hasher (env RUNNEL_DEFAULT_HASHER) is '" + name
                        + "' but no such hasher is on the classpath; available: "
                        + found.stream().map(Hasher::name).distinct().toList()));
    }

    /** The compressor named by {@code default_compressor}, or none. */
    static Optional<Compressor> compressor(String name) {
        if (name == null || name.equals("none")) {
            return Optional.empty();
        }
        List<Compressor> found = new ArrayList<>();
        ServiceLoader.load(Compressor.class).forEach(found::add);
        return Optional.of(found.stream().filter(c -> c.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> new InvalidSetting("default_compressor", "setting default_compressor (env RUNNEL_DEFAULT_COMPRESSOR) is '" + name
                        + "' but no such compressor is on the classpath; available: "
                        + found.stream().map(Compressor::name).toList())));
    }
}
