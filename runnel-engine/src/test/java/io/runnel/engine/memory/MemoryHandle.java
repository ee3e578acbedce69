// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import io.runnel.api.transport.Transport;

/**
 * A handle on an in-memory store with its test hooks public, for tests outside this package
 * ({@link MemoryTransport} is package-private: applications reach it through
 * {@code memory://} URLs only). {@link VirtualTime#store} makes one; the static methods reach
 * the hooks of a handle an app opened from its URL.
 */
public final class MemoryHandle extends MemoryTransport {
    /** Another handle on the store of {@code sameStore}. */
    MemoryHandle(MemoryTransport sameStore) {
        super(sameStore);
    }

    /** Another handle on this handle's store, as a second process would connect to the same Redis. */
    @Override
    public MemoryHandle newHandle() {
        return new MemoryHandle(this);
    }

    /** Holds this handle's commands and replies until {@link #thaw()}, as a frozen process or a cut network would. */
    @Override
    public void freeze() {
        super.freeze();
    }

    /** Lets the held commands and replies through. */
    @Override
    public void thaw() {
        super.thaw();
    }

    /** Deletes every key of the store, for all its handles. */
    @Override
    public void flushAll() {
        super.flushAll();
    }

    /** Number of reads blocked in the store right now, over all its handles. */
    @Override
    public int blockedReads() {
        return super.blockedReads();
    }

    /** Whether {@code transport} is a handle on an in-memory store, e.g. what a {@code memory://} URL opened. */
    public static boolean isMemory(Transport transport) {
        return transport instanceof MemoryTransport;
    }

    /** {@link #freeze()} for a handle the test did not open itself, e.g. an app's. */
    public static void freeze(Transport handle) {
        memory(handle).freeze();
    }

    /** {@link #thaw()} for a handle the test did not open itself, e.g. an app's. */
    public static void thaw(Transport handle) {
        memory(handle).thaw();
    }

    private static MemoryTransport memory(Transport transport) {
        if (transport instanceof MemoryTransport memory) {
            return memory;
        }
        throw new IllegalArgumentException("not an in-memory transport: " + transport);
    }
}
