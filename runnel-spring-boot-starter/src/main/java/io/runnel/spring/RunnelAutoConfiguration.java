// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.runnel.engine.App;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Runnel in a Spring Boot application: an {@link App} built from the {@code runnel.*}
 * properties (see {@link RunnelProperties}), the {@link RunnelProcessor} methods of the
 * context's beans registered as processors, a worker running with the context
 * ({@code runnel.worker.enabled=false} for a service that only sends), and, when the
 * application has them, an Actuator health indicator ({@code runnel}) and the metrics in
 * Micrometer. Streams are the application's beans: {@code @Bean Stream<Order> orders(App app)}.
 */
@AutoConfiguration
public class RunnelAutoConfiguration {

    /** The app, closed with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    App runnelApp(Environment environment) {
        return RunnelProperties.bind(environment).buildApp();
    }

    @Bean
    static ProcessorMethods runnelProcessorMethods(ObjectProvider<App> app) {
        return new ProcessorMethods(app);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "runnel.worker.enabled", matchIfMissing = true)
    WorkerLifecycle runnelWorker(App app, Environment environment) {
        return new WorkerLifecycle(app, RunnelProperties.bind(environment).processors());
    }

    /** The Actuator health indicator {@code runnel}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {
        @Bean
        @ConditionalOnMissingBean(name = "runnelHealthIndicator")
        HealthIndicator runnelHealthIndicator(App app, ObjectProvider<WorkerLifecycle> worker) {
            return new RunnelHealthIndicator(app, worker.getIfAvailable());
        }
    }

    /** The app's metrics in Micrometer. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        @Bean
        MicrometerBridge runnelMicrometerBridge(App app) {
            return new MicrometerBridge(app.metrics());
        }
    }
}
