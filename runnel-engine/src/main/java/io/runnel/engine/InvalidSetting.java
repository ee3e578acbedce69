// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Misconfigured;

/**
 * A setting, or a stream's or processor's override of one, that is unknown or has a value
 * it cannot take. {@link #setting()} names it, so that a framework reading settings from
 * elsewhere (Spring Boot's {@code runnel.*} properties) can point at where it was written.
 */
public final class InvalidSetting extends Misconfigured {
    /** The setting's name as declared, or as written when no such setting exists. */
    private final String setting;
    /** Whether a stream's or processor's override was refused. */
    private final boolean override;

    InvalidSetting(String setting, String message) {
        this(setting, message, false);
    }

    InvalidSetting(String setting, String message, boolean override) {
        super(message);
        this.setting = setting;
        this.override = override;
    }

    /**
     * The setting's name as declared ({@code default_pool_size}), or as written when no such setting exists.
     *
     * @return the setting's name
     */
    public String setting() {
        return setting;
    }

    /**
     * Whether a stream's or processor's override of the setting was refused, rather than the
     * app's own value (from the environment or the builder).
     *
     * @return true for an override, false for the app's own value
     */
    public boolean override() {
        return override;
    }
}
