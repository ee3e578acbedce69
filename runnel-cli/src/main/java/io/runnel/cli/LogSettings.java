// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hands {@code RUNNEL_LOG_FORMAT} and {@code RUNNEL_LOG_LEVEL} to the bundled
 * {@code logback.xml} as the system properties {@code runnel.log.format} and
 * {@code runnel.log.level}, normalised to what Logback understands (lower case; the
 * engine's {@code warning} becomes {@code warn}). Must run before anything logs, because
 * Logback reads its configuration once, at the first logger.
 */
final class LogSettings {
    private static final Set<String> FORMATS = Set.of("console", "json");
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

    private LogSettings() {
    }

    /**
     * @throws CliFailure naming the variable when a value is not one the engine accepts
     */
    static void apply(Map<String, String> env) {
        String format = value(env, "RUNNEL_LOG_FORMAT", "console");
        if (!FORMATS.contains(format)) {
            throw CliFailure.configuration("RUNNEL_LOG_FORMAT (setting log_format) is '" + format + "'; use console or json");
        }
        String level = value(env, "RUNNEL_LOG_LEVEL", "info");
        level = level.equals("warning") ? "warn" : level;
        if (!LEVELS.contains(level)) {
            throw CliFailure.configuration("RUNNEL_LOG_LEVEL (setting log_level) is '" + level
                    + "'; use trace, debug, info, warn or error");
        }
        // An explicit -Drunnel.log.* on the java command line wins.
        if (System.getProperty("runnel.log.format") == null) {
            System.setProperty("runnel.log.format", format);
        }
        if (System.getProperty("runnel.log.level") == null) {
            System.setProperty("runnel.log.level", level);
        }
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip().toLowerCase(Locale.ROOT);
    }
}
