// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

import java.util.function.LongSupplier;

/** In-memory stores on clocks a test moves, for tests outside this package. */
public final class VirtualTime {
    private VirtualTime() {
    }

    /**
     * A handle on a new store whose times to live run on {@code monotonicMillis}, ids on
     * {@code wallClock}; {@link MemoryHandle#newHandle()} opens more on the same store.
     */
    public static MemoryHandle store(LongSupplier wallClock, LongSupplier monotonicMillis) {
        return new MemoryHandle(MemoryTransport.create(wallClock, monotonicMillis));
    }
}
