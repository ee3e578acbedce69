// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One setting's declaration: its name, how its text is read and checked, its default, where
 * it applies and what it means. Every setting is declared once, in {@link Settings}; its
 * environment variable, the builder's and the streams' and processors' overrides, the
 * README's settings table and the Spring Boot starter's properties all come from these
 * declarations ({@link Settings#declared()}).
 *
 * @param <T> the type of the resolved value
 */
public final class Setting<T> {
    private static final String DEFAULT_PREFIX = "default_";

    /** Where a setting applies. */
    public enum Scope {
        /** The whole app. */
        APP,
        /** A default each stream may override ({@link StreamOptions}). */
        STREAM,
        /** A default each processor may override ({@link ProcessorOptions}). */
        PROCESSOR
    }

    private final String name;
    private final SettingType<T> type;
    private final String defaultValue;
    private final String defaultNote;
    private final Scope scope;
    private final String documentation;

    Setting(String name, SettingType<T> type, String defaultValue, String defaultNote, Scope scope,
            String documentation) {
        if (scope != Scope.APP && !name.startsWith(DEFAULT_PREFIX)) {
            throw new IllegalArgumentException("a stream or processor default is named default_<option>: " + name);
        }
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.defaultNote = defaultNote;
        this.scope = scope;
        this.documentation = documentation;
    }

    /**
     * The name, in snake case: {@code default_pool_size}.
     *
     * @return the setting's name
     */
    public String name() {
        return name;
    }

    /**
     * The environment variable that sets it: {@code RUNNEL_DEFAULT_POOL_SIZE}.
     *
     * @return the variable's name
     */
    public String environmentVariable() {
        return "RUNNEL_" + name.toUpperCase(Locale.ROOT);
    }

    /**
     * Where it applies.
     *
     * @return the app, or each stream or processor
     */
    public Scope scope() {
        return scope;
    }

    /**
     * The name a stream or processor overrides it by, without {@code default_}
     * ({@code pool_size}); the name itself for an app setting.
     *
     * @return the override's name
     */
    public String optionName() {
        return scope == Scope.APP ? name : name.substring(DEFAULT_PREFIX.length());
    }

    /**
     * The default, as text an environment variable could hold; empty for none.
     *
     * @return the default's text
     */
    public String defaultValue() {
        return defaultValue;
    }

    /**
     * What the default means when its text does not say it (Markdown), e.g. {@code (by URL
     * and classpath)} for an empty {@code transport}.
     *
     * @return the note; empty when the default's text says it all
     */
    public Optional<String> defaultNote() {
        return Optional.ofNullable(defaultNote);
    }

    /**
     * The unit a bare number is read in ({@code s} or {@code ms}); empty when it is not a duration.
     *
     * @return {@code s}, {@code ms}, or empty
     */
    public String unit() {
        return type.unit();
    }

    /**
     * The values it accepts when they form a closed set, as written in the docs; empty otherwise.
     *
     * @return the accepted values, or an empty list
     */
    public List<String> allowedValues() {
        return type.allowed();
    }

    /**
     * What it means and how it is bounded, in Markdown, as in the README's settings table.
     *
     * @return the setting's documentation
     */
    public String documentation() {
        return documentation;
    }

    /** Reads an app-level value (from the environment or the builder). */
    T parse(String text) {
        return parse(text, "setting " + name + " (env " + environmentVariable() + ")", false);
    }

    /** Reads a stream's or processor's override. */
    T parseOption(String text) {
        return parse(text, "option " + optionName(), true);
    }

    private T parse(String text, String subject, boolean override) {
        try {
            return type.parser().parse(text.trim());
        } catch (SettingType.Rejected r) {
            throw new InvalidSetting(name, subject + " has invalid value '"
                    + (r.shownValue != null ? r.shownValue : text) + "': expected " + r.getMessage(), override);
        }
    }

    /** The app-level value {@code shownValue} is refused: {@code expected} says why (cross-setting rules). */
    InvalidSetting rejected(String shownValue, String expected) {
        return new InvalidSetting(name, "setting " + name + " (env " + environmentVariable() + ") has invalid value '"
                + shownValue + "': expected " + expected);
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * The candidate nearest to a misspelt name, if one is near enough to be what was meant
     * (a few letters added, dropped, swapped or changed).
     *
     * @param name       the name as written
     * @param candidates the names it may have meant
     * @return the nearest candidate; empty when none is near enough
     */
    public static Optional<String> closest(String name, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int d = distance(name, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        int tolerated = Math.max(2, name.length() / 3);
        return bestDistance <= tolerated ? Optional.ofNullable(best) : Optional.empty();
    }

    /** Edits (insertions, deletions, substitutions, swaps of neighbours) from {@code a} to {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1); // "defualt": one swap, not two changes
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
