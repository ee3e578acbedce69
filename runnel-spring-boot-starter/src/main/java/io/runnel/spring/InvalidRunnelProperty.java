// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.InvalidSetting;

/**
 * A {@code runnel.*} property that no Runnel property binds, or whose value the setting
 * behind it refused: it names the key exactly as written and where, and the nearest known
 * property for an unknown one. {@link RunnelFailureAnalyzer} turns it into a short report.
 */
final class InvalidRunnelProperty extends IllegalStateException {
    /** The key as written and where. */
    private final WrittenProperties.Key key;
    /** The known property nearest to an unknown key, or null. */
    private final String suggestion;

    private InvalidRunnelProperty(String message, WrittenProperties.Key key, String suggestion, Throwable cause) {
        super(message, cause);
        this.key = key;
        this.suggestion = suggestion;
    }

    /** A key no property binds; {@code nearest} may be null. */
    static InvalidRunnelProperty unknown(WrittenProperties.Key key, String nearest) {
        return new InvalidRunnelProperty("unknown Runnel property " + key.describe()
                + (nearest == null ? "" : "; did you mean " + nearest + "?"), key, nearest, null);
    }

    /** A value the setting refused. */
    static InvalidRunnelProperty refused(WrittenProperties.Key key, InvalidSetting cause) {
        return new InvalidRunnelProperty("invalid Runnel property " + key.describe() + ": " + cause.getMessage(), key,
                null, cause);
    }

    WrittenProperties.Key key() {
        return key;
    }

    /** Whether the key is unknown, rather than its value refused. */
    boolean unknown() {
        return getCause() == null;
    }

    String suggestion() {
        return suggestion;
    }
}
