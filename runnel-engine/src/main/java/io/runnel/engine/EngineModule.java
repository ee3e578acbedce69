// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.MetricRegistry;
import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.runnel.api.Hasher;
import io.runnel.api.transport.Transport;

import java.time.Clock;

/**
 * The engine's default bindings, one injector per {@link App}. Users override any of them
 * (clock, metric registry, hasher, assignment strategy, transport) with their own module:
 * {@code App.builder("shop").module(myModule)}.
 */
final class EngineModule extends AbstractModule {
    private final Settings settings;

    EngineModule(Settings settings) {
        this.settings = settings;
    }

    @Override
    protected void configure() {
        bind(Settings.class).toInstance(settings);
        bind(Clock.class).toInstance(Clock.systemUTC());
        bind(Ticker.class).toInstance(Ticker.SYSTEM);
        bind(AssignmentStrategy.class).toInstance(settings.defaultAssignment().equals("ranges")
                ? AssignmentStrategy.contiguousRanges() : AssignmentStrategy.sticky());
    }

    @Provides
    @Singleton
    MetricRegistry metricRegistry() {
        return new MetricRegistry();
    }

    @Provides
    @Singleton
    Hasher hasher(Settings s) {
        return Plugins.hasher(s.defaultHasher());
    }

    /** Opened on first use, not when the app is built, so defining an app needs no server. */
    @Provides
    @Singleton
    Transport transport(Settings s) {
        return Plugins.openTransport(s);
    }
}
