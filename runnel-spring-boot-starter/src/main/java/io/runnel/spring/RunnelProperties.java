// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.Setting;
import io.runnel.engine.Settings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code runnel.*} properties, bound by Spring Boot from properties, YAML, environment
 * variables and the command line with its relaxed names: {@code runnel.default-join-delay},
 * {@code runnel.defaultJoinDelay} and {@code RUNNEL_DEFAULT_JOIN_DELAY} are the same property.
 *
 * <p>{@code runnel.app} names the app ({@code spring.application.name} by default) and
 * {@code runnel.worker.*} shapes the worker; every other component is one of Runnel's
 * settings ({@link Settings#declared()}), named after it, and holds its text as the setting
 * reads it ({@code 2s}, {@code 16}), or null when not set here (the setting's default). A
 * test holds the components and the declarations together, and generates the descriptions
 * and defaults IDEs show ({@code META-INF/additional-spring-configuration-metadata.json})
 * from the declarations.
 *
 * @param app    the app's name, in every Redis key it uses; {@code spring.application.name} when not set
 * @param worker the worker that runs with the application context
 */
@ConfigurationProperties(RunnelProperties.PREFIX)
record RunnelProperties(
        String app,
        @DefaultValue Worker worker,
        String redisUrl,
        String transport,
        String logFormat,
        String logLevel,
        String timezone,
        String leadershipPollInterval,
        String defaultPartitionCount,
        String defaultPartitionSize,
        String defaultRetention,
        String defaultMaxPartitionSize,
        String defaultMaxAge,
        String defaultRetentionInterval,
        String sendReplicas,
        String sendReplicasTimeout,
        String defaultSerializer,
        String defaultCompressor,
        String defaultHasher,
        String defaultExceptionPolicy,
        String defaultRetryAttempts,
        String defaultRetryBackoff,
        String defaultRetryMaxBackoff,
        String defaultRetryMultiplier,
        String defaultRetryJitter,
        String defaultLockExpiry,
        String defaultLeaseMargin,
        String defaultReadTimeout,
        String defaultPrefetchCount,
        String defaultMaxInFlight,
        String defaultProcessingGuarantee,
        String defaultCommitInterval,
        String defaultCommitReplicas,
        String defaultAssignment,
        String defaultAssignmentAttempts,
        String memberId,
        String defaultSessionTimeout,
        String defaultAssignmentSleep,
        String defaultGracePeriod,
        String defaultMaxProcessingTime,
        String defaultPoolSize,
        String defaultJoinDelay,
        String metricsReporters,
        String metricsInterval,
        String metricsCsvDirectory,
        String metricsPort,
        String metricsHost,
        String consolePort,
        String consoleHost,
        String consoleActions,
        String consoleToken,
        String consolePath) {

    static final String PREFIX = "runnel";

    /**
     * The worker that runs with the application context.
     *
     * @param enabled    whether it runs; false for a service that only sends
     * @param processors the processors it runs; empty for all of them
     */
    record Worker(@DefaultValue("true") boolean enabled, List<String> processors) {
        Worker {
            processors = processors == null ? List.of() : List.copyOf(processors);
        }
    }

    /** The components that are settings, and the setting each is. */
    static final Map<RecordComponent, Setting<?>> SETTINGS = settingComponents();

    private static Map<RecordComponent, Setting<?>> settingComponents() {
        Map<RecordComponent, Setting<?>> settings = new LinkedHashMap<>();
        for (RecordComponent c : RunnelProperties.class.getRecordComponents()) {
            if (!c.getName().equals("app") && !c.getName().equals("worker")) {
                settings.put(c, Settings.named(c.getName()).orElseThrow(() -> new IllegalStateException(
                        "RunnelProperties." + c.getName() + " is no Runnel setting")));
            }
        }
        return settings;
    }

    /** The settings set here, by setting name ({@code default_pool_size}), as text. */
    Map<String, String> settings() {
        Map<String, String> set = new LinkedHashMap<>();
        SETTINGS.forEach((component, setting) -> {
            try {
                Object value = component.getAccessor().invoke(this);
                if (value != null) {
                    set.put(setting.name(), value.toString());
                }
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException(e);
            }
        });
        return set;
    }

    /** The property that sets {@code setting}: {@code runnel.default-pool-size}. */
    static String propertyOf(String setting) {
        return PREFIX + "." + setting.replace('_', '-');
    }
}
