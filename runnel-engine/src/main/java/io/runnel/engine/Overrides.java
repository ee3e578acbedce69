// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stream's or a processor's overrides of the app's {@code default_*} settings, kept by
 * declaration and checked as the settings themselves are: a value an override cannot take
 * fails where it is set, naming the option.
 */
final class Overrides {
    private final Setting.Scope scope;
    private final Map<Setting<?>, Object> values = new HashMap<>();

    Overrides(Setting.Scope scope) {
        this.scope = scope;
    }

    /**
     * Overrides {@code setting} with {@code value}: text as a setting reads it, or a number,
     * duration or enum constant.
     *
     * @throws InvalidSetting naming the option when the value is out of range
     */
    void put(Setting<?> setting, Object value) {
        if (setting.scope() != scope) {
            throw new IllegalArgumentException(setting + " is not a " + scope + " setting");
        }
        Objects.requireNonNull(value, setting.optionName());
        values.put(setting, setting.parseOption(Settings.asText(value)));
    }

    /**
     * Overrides the setting named {@code name} ({@code pool_size}, {@code poolSize} or {@code default_pool_size}).
     *
     * @throws InvalidSetting when no setting of this scope has that name (suggesting the nearest)
     *                        or the value is out of range
     */
    void put(String name, Object value) {
        put(Settings.option(name, scope), value);
    }

    /** The override of {@code setting}, if one was set (and was not empty text). */
    @SuppressWarnings("unchecked")
    <T> Optional<T> explicit(Setting<T> setting) {
        return Optional.ofNullable((T) values.get(setting));
    }

    /** The override of {@code setting}, else the app's value. */
    <T> T get(Setting<T> setting, Settings app) {
        return explicit(setting).orElseGet(() -> app.value(setting));
    }
}
