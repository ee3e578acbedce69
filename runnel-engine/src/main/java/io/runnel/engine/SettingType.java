// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.transport.ConnectionUrl;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * How a setting's text becomes its value, and what text it accepts: the parsing and
 * validating half of a {@link Setting}'s declaration.
 *
 * @param unit    the unit a bare number is read in ({@code s}, {@code ms}), or empty
 * @param allowed the values it accepts when they are a closed set (for docs and IDE hints), or empty
 * @param parser  turns trimmed text into the value, or throws {@link Rejected}
 * @param <T>     the value's type
 */
record SettingType<T>(String unit, List<String> allowed, Parser<T> parser) {

    /** Turns a setting's text into its value. */
    @FunctionalInterface
    interface Parser<T> {
        /** @throws Rejected saying what was expected */
        T parse(String text);
    }

    /** A text a setting cannot take, with what it expects instead. */
    static final class Rejected extends RuntimeException {
        /** The text to show instead of the value (a URL without its credentials), or null. */
        final String shownValue;

        Rejected(String expected) {
            this(expected, null);
        }

        Rejected(String expected, String shownValue) {
            super(expected, null, false, false);
            this.shownValue = shownValue;
        }
    }

    private static final Pattern MEMBER_ID = Pattern.compile("[A-Za-z0-9_\\-.]{1,200}");

    static <T> SettingType<T> of(Parser<T> parser) {
        return new SettingType<>("", List.of(), parser);
    }

    /**
     * A plugin's name, lower-cased; empty for none (null). Plugins on the classpath may bring
     * names beyond the {@code known} ones, so the name is checked where the plugin is looked up.
     */
    static SettingType<String> nameOrNone(String... known) {
        return new SettingType<>("", List.of(known), text -> text.isEmpty() ? null : text.toLowerCase(Locale.ROOT));
    }

    /** A URL path such as {@code /runnel}: a slash, then letters, digits, '-', '_', '.' and more slashes; empty for none (null). */
    static SettingType<String> pathOrNone() {
        return of(text -> {
            if (text.isEmpty()) {
                return null;
            }
            if (!text.matches("(/[A-Za-z0-9._-]+)+")) {
                throw new Rejected("a path such as /runnel (a slash, then letters, digits, '-', '_' or '.'; no slash at "
                        + "the end)");
            }
            return text;
        });
    }

    /** A secret, kept as written and never shown; empty for none (null). */
    static SettingType<String> secret() {
        return of(text -> text.isEmpty() ? null : text);
    }

    /** Non-empty text, kept as written. */
    static SettingType<String> nonBlank() {
        return of(text -> {
            if (text.isEmpty()) {
                throw new Rejected("a non-empty value");
            }
            return text;
        });
    }

    /**
     * A host name or IPv4 address (letters, digits, '-', '.'), or an IPv6 address (two colons
     * or more, so that {@code host:port} is not one), without brackets.
     */
    private static final Pattern HOST = Pattern.compile(
            "[A-Za-z0-9]([A-Za-z0-9\\-.]{0,252})|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*");

    /**
     * An address to listen on: a host name, or an IPv4 or IPv6 address ({@code 127.0.0.1},
     * {@code 0.0.0.0}, {@code ::}); not resolved here, so that settings never wait for DNS.
     */
    static SettingType<String> host() {
        return of(text -> {
            if (!HOST.matcher(text).matches()) {
                throw new Rejected("a host name or IP address such as 127.0.0.1, 0.0.0.0 or :: (no scheme, port "
                        + "or brackets)");
            }
            return text;
        });
    }

    /** A Redis URL; the message of a bad one shows it without credentials. */
    static SettingType<String> redisUrl() {
        return of(text -> {
            try {
                ConnectionUrl.parse(text);
                return text;
            } catch (IllegalArgumentException e) {
                throw new Rejected("a URL such as redis://host:6379 (" + e.getMessage() + ")", ConnectionUrl.redact(text));
            }
        });
    }

    /** One of {@code values}, case-insensitive, lower-cased; {@code aliases} are accepted too but not documented. */
    static SettingType<String> oneOf(List<String> values, String... aliases) {
        Set<String> accepted = new TreeSet<>(values);
        accepted.addAll(Arrays.asList(aliases));
        return new SettingType<>("", List.copyOf(values), text -> {
            String value = text.toLowerCase(Locale.ROOT);
            if (!accepted.contains(value)) {
                throw new Rejected("one of " + String.join(", ", values));
            }
            return value;
        });
    }

    /** A constant of {@code type}, by name, case-insensitive. */
    static <E extends Enum<E>> SettingType<E> constant(Class<E> type) {
        List<String> names = Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
        boolean lower = type != ExceptionPolicy.class; // shown as users write them: HALT, but acked
        List<String> shown = lower ? names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList() : names;
        return new SettingType<>("", shown, text -> {
            try {
                return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new Rejected("one of " + String.join(", ", shown));
            }
        });
    }

    static SettingType<ZoneId> zone() {
        return of(text -> {
            try {
                return ZoneId.of(text);
            } catch (RuntimeException e) {
                throw new Rejected("a time zone id such as UTC or Europe/London");
            }
        });
    }

    /** A whole number of at least 1 that fits an int. */
    static SettingType<Integer> positiveInt() {
        return of(text -> {
            long v = wholeNumber(text, 1, Integer.MAX_VALUE, "a positive whole number below 2^31");
            return (int) v;
        });
    }

    static SettingType<Long> positiveLong() {
        return of(text -> wholeNumber(text, 1, Long.MAX_VALUE, "a positive whole number"));
    }

    /** A whole number from 0, where 0 means no limit. */
    static SettingType<Long> limit() {
        return of(text -> wholeNumber(text, 0, Long.MAX_VALUE, "a whole number, 0 for no limit"));
    }

    /** A whole number from {@code min} to {@code max}; {@code expected} says what it is. */
    static SettingType<Integer> intFrom(int min, int max, String expected) {
        return of(text -> (int) wholeNumber(text, min, max, expected));
    }

    /** A decimal number from {@code min} to {@code max}, both included and finite. */
    static SettingType<Double> decimal(double min, double max, String expected) {
        return of(text -> {
            double v;
            try {
                v = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new Rejected("a number");
            }
            if (!(v >= min && v <= max) || Double.isInfinite(v)) {
                throw new Rejected(expected);
            }
            return v;
        });
    }

    /** A duration of more than zero; a bare number is in {@code unit} ({@code s} or {@code ms}). */
    static SettingType<Duration> positiveDuration(String unit) {
        return new SettingType<>(unit, List.of(), text -> {
            Duration d = anyDuration(text, unit);
            if (d.isZero()) {
                throw new Rejected("a positive duration");
            }
            return d;
        });
    }

    /** A duration of zero or more; a bare number is in {@code unit}. */
    static SettingType<Duration> duration(String unit) {
        return new SettingType<>(unit, List.of(), text -> anyDuration(text, unit));
    }

    /** Empty for none (null); otherwise a name safe inside Redis keys, as executor ids must be. */
    static SettingType<String> memberId() {
        return of(text -> {
            if (text.isEmpty()) {
                return null;
            }
            if (!MEMBER_ID.matcher(text).matches()) {
                throw new Rejected("1 to 200 letters, digits, '_', '-' or '.' (e.g. the host or pod name)");
            }
            return text;
        });
    }

    /** Comma-separated reporter names: built in, or a {@link MetricsReporterProvider} on the classpath; none for none. */
    static SettingType<Set<String>> reporters(Set<String> builtIn) {
        List<String> shown = List.of("jmx", "slf4j", "csv", "prometheus", "none");
        return new SettingType<>("", shown, text -> {
            Set<String> chosen = new TreeSet<>();
            for (String part : text.split(",")) {
                String r = part.trim().toLowerCase(Locale.ROOT);
                if (r.isEmpty() || r.equals("none")) {
                    continue;
                }
                if (!builtIn.contains(r) && MetricsReporting.provider(r).isEmpty()) {
                    throw new Rejected("a comma-separated list of jmx, slf4j, csv, or a reporter on the classpath ("
                            + (r.equals("prometheus") ? "prometheus needs io.runnel:runnel-prometheus"
                            : "found: " + MetricsReporting.providerNames()) + "), or none");
                }
                chosen.add(r);
            }
            return Set.copyOf(chosen);
        });
    }

    private static long wholeNumber(String text, long min, long max, String expected) {
        long v;
        try {
            v = Long.parseLong(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new Rejected(expected);
        }
        if (v < min || v > max) {
            throw new Rejected(expected);
        }
        return v;
    }

    private static Duration anyDuration(String text, String unit) {
        Duration d = parseDuration(text, unit);
        if (d == null || d.isNegative()) {
            throw new Rejected("a duration: a number of " + (unit.equals("s") ? "seconds" : "milliseconds")
                    + ", or with a unit (250ms, 2s, 1m), or ISO-8601 (PT2S)");
        }
        return d;
    }

    /** Parses a duration; a bare number is in {@code unit} ({@code s} or {@code ms}). Null if malformed. */
    static Duration parseDuration(String value, String unit) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("p")) {
                return Duration.parse(v.toUpperCase(Locale.ROOT));
            }
            String number = v;
            String u = unit;
            for (String suffix : new String[] {"ms", "s", "m", "h"}) {
                if (v.endsWith(suffix)) {
                    number = v.substring(0, v.length() - suffix.length()).trim();
                    u = suffix;
                    break;
                }
            }
            BigDecimal amount = new BigDecimal(number);
            BigDecimal millis = switch (u) {
                case "ms" -> amount;
                case "s" -> amount.movePointRight(3);
                case "m" -> amount.multiply(BigDecimal.valueOf(60_000));
                case "h" -> amount.multiply(BigDecimal.valueOf(3_600_000));
                default -> throw new IllegalStateException(u);
            };
            return Duration.ofMillis(millis.longValueExact());
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            return null;
        }
    }
}
