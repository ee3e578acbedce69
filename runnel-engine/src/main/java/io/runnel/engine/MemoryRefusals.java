// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.runnel.api.transport.ServerOutOfMemory;

/**
 * The app's meter of commands Redis refused because its memory was full
 * ({@link ServerOutOfMemory}): {@code runnel.<app>.redis-oom}, one mark per refused call,
 * retries included, whoever made it (a send, a heartbeat, a retention pass, a dead letter…).
 * It exists from the app's start, so a dashboard sees 0 until Redis refuses something.
 */
final class MemoryRefusals {
    /** The meter's name after {@code runnel.<app>.}. */
    static final String METER = RunnelMetric.REDIS_OOM.dropwizardName();

    private MemoryRefusals() {
    }

    /** The app's meter, registered on first use (get-or-create by name, like every Runnel metric). */
    static Meter meter(MetricRegistry registry, String app) {
        return registry.meter(MetricRegistry.name("runnel", app, METER));
    }

    /**
     * Marks {@code meter}, if there is one, when {@code error} is a refusal at maxmemory.
     *
     * @return whether it was
     */
    static boolean count(Meter meter, Throwable error) {
        boolean full = error instanceof ServerOutOfMemory;
        if (full && meter != null) {
            meter.mark();
        }
        return full;
    }
}
