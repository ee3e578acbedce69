// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.App;
import io.runnel.engine.InvalidSetting;
import org.springframework.core.env.ConfigurableEnvironment;

import java.util.Map;

/** Builds the {@link App} from the {@code runnel.*} properties. */
final class RunnelApps {
    private RunnelApps() {
    }

    /**
     * Builds the app: named by {@code runnel.app}, else {@code spring.application.name}; with
     * the settings the properties set, and the declared defaults for the others.
     *
     * @throws InvalidRunnelProperty naming the key as written (and where) when no property
     *                               binds it, or when the setting behind it refuses its value
     */
    static App build(RunnelProperties properties, ConfigurableEnvironment environment) {
        WrittenProperties written = WrittenProperties.of(environment);
        written.refuseUnknown();
        String name = properties.app() != null ? properties.app()
                : environment.getProperty("spring.application.name", "app");
        // Boot has read the RUNNEL_* variables already, as runnel.* properties and with Boot's
        // precedence: the engine must not read them again underneath.
        App.Builder builder = App.builder(name).environment(Map.of());
        properties.settings().forEach(builder::setting);
        try {
            return builder.build();
        } catch (InvalidSetting e) {
            throw written.find(RunnelProperties.propertyOf(e.setting()))
                    .<RuntimeException>map(key -> InvalidRunnelProperty.refused(key, e))
                    .orElse(e);
        }
    }
}
