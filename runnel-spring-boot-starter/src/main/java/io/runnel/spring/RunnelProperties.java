// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.api.Misconfigured;
import io.runnel.engine.App;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code runnel.*} properties: {@code runnel.app} names the app ({@code spring.application.name}
 * by default), {@code runnel.worker.enabled} and {@code runnel.worker.processors} shape the
 * worker, and every other key is a Runnel setting in kebab case ({@code runnel.redis-url},
 * {@code runnel.default-partition-count}...), validated by the settings themselves.
 */
final class RunnelProperties {
    static final String PREFIX = "runnel";

    private final String appName;
    private final Map<String, String> settings;
    private final boolean workerEnabled;
    private final List<String> processors;

    private RunnelProperties(String appName, Map<String, String> settings, boolean workerEnabled, List<String> processors) {
        this.appName = appName;
        this.settings = settings;
        this.workerEnabled = workerEnabled;
        this.processors = processors;
    }

    static RunnelProperties bind(Environment environment) {
        Binder binder = Binder.get(environment);
        Map<String, String> all = binder.bind(PREFIX, Bindable.mapOf(String.class, String.class)).orElse(Map.of());
        Map<String, String> settings = new TreeMap<>();
        all.forEach((key, value) -> {
            if (!key.equals("app") && !key.startsWith("worker.")) {
                settings.put(key.replace('-', '_').toLowerCase(Locale.ROOT), value);
            }
        });
        String app = all.getOrDefault("app", environment.getProperty("spring.application.name", "app"));
        boolean enabled = binder.bind(PREFIX + ".worker.enabled", Boolean.class).orElse(true);
        List<String> processors = binder.bind(PREFIX + ".worker.processors", Bindable.listOf(String.class)).orElse(List.of());
        return new RunnelProperties(app, settings, enabled, processors);
    }

    /**
     * Builds the app; a bad setting fails naming the property as well as the setting.
     *
     * @throws InvalidRunnelProperty naming the property and why
     */
    App buildApp() {
        App.Builder builder = App.builder(appName);
        settings.forEach(builder::setting);
        try {
            return builder.build();
        } catch (Misconfigured e) {
            throw new InvalidRunnelProperty(propertyOf(e.getMessage()), e);
        }
    }

    /** The property whose setting a message names (the longest name that appears), or the prefix. */
    private String propertyOf(String message) {
        String text = String.valueOf(message);
        return settings.keySet().stream().filter(text::contains).max((a, b) -> Integer.compare(a.length(), b.length()))
                .map(name -> PREFIX + "." + name.replace('_', '-'))
                .orElse(PREFIX + ".*");
    }

    boolean workerEnabled() {
        return workerEnabled;
    }

    List<String> processors() {
        return processors;
    }

    /** A {@code runnel.*} property the settings refused. */
    static final class InvalidRunnelProperty extends IllegalStateException {
        InvalidRunnelProperty(String property, Misconfigured cause) {
            super("invalid Runnel configuration: property " + property + ": " + cause.getMessage(), cause);
        }
    }
}
