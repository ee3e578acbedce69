// SPDX-License-Identifier: Apache-2.0

/**
 * The in-memory {@link io.runnel.api.transport.Transport}: streams, consumer groups and keys
 * held in this JVM, so apps can be tested without a Redis server. Not durable and single
 * process only: for tests and demos. Reach it with a {@code memory://name} URL (found through
 * {@link io.runnel.engine.memory.MemoryTransportProvider}); the transport itself is not public.
 */
package io.runnel.engine.memory;
