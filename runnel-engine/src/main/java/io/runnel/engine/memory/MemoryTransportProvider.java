// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;
import io.runnel.api.transport.TransportProvider;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Offers the in-memory transport for {@code memory:} URLs (transport name {@code memory}),
 * e.g. {@code redis_url=memory://shop}. Not durable, single process only: for tests and
 * demos. It keeps streams, consumer groups, pending entries, blocking reads and expiring
 * keys in this JVM, and behaves as the Redis transports do (the transport conformance suite
 * pins this), except that {@code MAXLEN ~} trims exactly and a batch runs atomically.
 *
 * <p>The URL names a store that lives as long as the JVM: {@code memory://shop} and
 * {@code memory:shop} both name {@code shop}; {@code memory:/} names the unnamed default
 * store. Names are compared exactly; user-info, path and query are ignored. Every
 * {@link #open(ConnectionUrl)} returns a new handle on the named store, so several apps in
 * one JVM opened with the same URL share streams, groups and locks, as several processes do
 * through one Redis; closing one handle ends only that handle. A test that wants a store of
 * its own gives it a name of its own (the test's, or a random one).
 */
public final class MemoryTransportProvider implements TransportProvider {
    private static final ConcurrentMap<String, MemoryStore> STORES = new ConcurrentHashMap<>();

    /** The constructor {@link java.util.ServiceLoader} calls; the stores are the JVM's. */
    public MemoryTransportProvider() {
    }

    @Override
    public String name() {
        return "memory";
    }

    @Override
    public boolean supports(ConnectionUrl url) {
        return url.scheme().equals("memory");
    }

    /**
     * A new handle on the store the URL names, created on first use.
     *
     * @throws TransportException if the URL is not a {@code memory:} URL
     */
    @Override
    public Transport open(ConnectionUrl url) {
        if (!supports(url)) {
            throw new TransportException("the memory transport cannot open " + url.redacted()
                    + " (expected a memory://name URL)");
        }
        MemoryStore store = STORES.computeIfAbsent(storeName(url.uri()), name -> new MemoryStore());
        return new MemoryTransport(store, url.redacted());
    }

    /** The store a URL names: its authority without user-info, else its path or opaque part. */
    static String storeName(URI uri) {
        if (uri.isOpaque()) {
            String part = uri.getRawSchemeSpecificPart();
            int query = part.indexOf('?');
            return query < 0 ? part : part.substring(0, query);
        }
        String authority = uri.getRawAuthority();
        if (authority != null) {
            return authority.substring(authority.lastIndexOf('@') + 1);
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        return path.replaceAll("^/+|/+$", "");
    }
}
