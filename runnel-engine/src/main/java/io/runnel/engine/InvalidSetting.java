package io.runnel.engine;

import io.runnel.api.Misconfigured;

/**
 * A setting, or a stream's or processor's override of one, that is unknown or has a value
 * it cannot take. {@link #setting()} names it, so that a framework reading settings from
 * elsewhere (Spring Boot's {@code runnel.*} properties) can point at where it was written.
 */
public final class InvalidSetting extends Misconfigured {
    private final String setting;

    InvalidSetting(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The setting's name as declared ({@code default_pool_size}), or as written when no such setting exists. */
    public String setting() {
        return setting;
    }
}
