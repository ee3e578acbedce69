// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.runnel.engine.App;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Runnel in a Spring Boot application: an {@link App} built from the {@code runnel.*}
 * properties (see {@link RunnelProperties}), the {@link RunnelProcessor} methods of the
 * context's beans registered as processors, a worker running with the context
 * ({@code runnel.worker.enabled=false} for a service that only sends), and, when the
 * application has them, an Actuator health indicator ({@code runnel}), the metrics in
 * Micrometer and traces through the application's {@code OpenTelemetry}. Streams are the
 * application's beans: {@code @Bean Stream<Order> orders(App app)}.
 */
@AutoConfiguration
@EnableConfigurationProperties(RunnelProperties.class)
public class RunnelAutoConfiguration {

    /** Used by Spring. */
    public RunnelAutoConfiguration() {
    }

    /** The app, closed with the context; built after the tracing is wired, so that its first send is traced. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    App runnelApp(RunnelProperties properties, ConfigurableEnvironment environment,
                  ObjectProvider<RunnelTracing> tracing) {
        tracing.getIfAvailable(); // created first, when there is one
        return RunnelApps.build(properties, environment);
    }

    @Bean
    static ProcessorMethods runnelProcessorMethods(ObjectProvider<App> app) {
        return new ProcessorMethods(app);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = "runnel.worker.enabled", matchIfMissing = true)
    WorkerLifecycle runnelWorker(App app, RunnelProperties properties) {
        return new WorkerLifecycle(app, properties.worker().processors());
    }

    /**
     * The web console, mounted at {@code console_path} ({@code runnel.console-path}, e.g.
     * {@code /runnel}) in a servlet web application that has {@code runnel-console}; not mounted
     * unless the path is set.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.runnel.console.ConsoleServlet", "jakarta.servlet.http.HttpServlet"})
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnProperty(name = "runnel.console-path")
    static class ConsoleMount {
        @Bean
        ServletRegistrationBean<io.runnel.console.ConsoleServlet> runnelConsole(App app) {
            String path = app.settings().consolePath().orElseThrow();
            ServletRegistrationBean<io.runnel.console.ConsoleServlet> registration =
                    new ServletRegistrationBean<>(new io.runnel.console.ConsoleServlet(app), path + "/*");
            registration.setName("runnelConsole");
            return registration;
        }
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
            return new MicrometerBridge(app);
        }
    }

    /** Traces through the application's {@code OpenTelemetry} bean, when it has one and {@code runnel-otel} is present. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"io.runnel.otel.RunnelTelemetry", "io.opentelemetry.api.OpenTelemetry"})
    static class Tracing {
        @Bean
        RunnelTracing runnelTracing(ObjectProvider<OpenTelemetry> openTelemetry) {
            return new RunnelTracing(openTelemetry.getIfUnique(() -> null));
        }
    }
}
