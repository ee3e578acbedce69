// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.engine.Setting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.CommandLinePropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code runnel.*} keys as the application wrote them, in each property source, in the
 * order Spring Boot gives them precedence: to refuse a key no property binds (naming it and
 * the nearest property), and to say where a property Runnel refused was set.
 *
 * <p>Keys are compared in the form Boot's relaxed binding compares them: lower case, without
 * dashes, underscores or list indexes ({@code runnel.defaultJoinDelay},
 * {@code runnel.default-join-delay} and {@code RUNNEL_DEFAULT_JOIN_DELAY} are one property).
 */
final class WrittenProperties {
    private static final Logger log = LoggerFactory.getLogger(WrittenProperties.class);
    private static final String ENV_PREFIX = RunnelProperties.PREFIX.toUpperCase(Locale.ROOT) + "_";

    /** The properties {@link RunnelProperties} binds, relative to the prefix: {@code default-join-delay}, {@code worker.enabled}. */
    static final List<String> KNOWN = known(RunnelProperties.class, "", false);
    /** The same, in the form keys are compared in. */
    private static final Set<String> KNOWN_UNIFORM = uniform(KNOWN);
    /** Those that are lists, which take indexed keys ({@code worker.processors[0]}), in that form. */
    private static final Set<String> LISTS_UNIFORM = uniform(known(RunnelProperties.class, "", true));

    /**
     * One key as written.
     *
     * @param key      as written: {@code runnel.defaultJoinDelay}, {@code RUNNEL_DEFAULT_JOIN_DELAY}
     * @param relative its property relative to the prefix, in kebab case: {@code default-join-delay}
     * @param origin   where: a file and line, or the property source's name
     * @param variable whether it is an environment variable
     * @param shared   whether its source is shared with other tools (environment variables, JVM
     *                 system properties), where an unknown key may be meant for them
     */
    record Key(String key, String relative, String origin, boolean variable, boolean shared) {
        /** How a message names it: {@code runnel.x (class path resource [application.properties] - 3:1)}. */
        String describe() {
            return variable ? "environment variable " + key : key + " (" + origin + ")";
        }
    }

    private final List<Key> keys;

    private WrittenProperties(List<Key> keys) {
        this.keys = keys;
    }

    static WrittenProperties of(ConfigurableEnvironment environment) {
        List<Key> keys = new ArrayList<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (!(source instanceof EnumerablePropertySource<?> enumerable)) {
                continue; // the attached view of every source, random values...
            }
            boolean variables = source.getName().equals(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
            boolean shared = variables || source.getName().equals(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
            for (String name : enumerable.getPropertyNames()) {
                String relative = variables ? variableRelative(name) : propertyRelative(name);
                if (relative != null) {
                    keys.add(new Key(name, relative, originOf(source, name), variables, shared));
                }
            }
        }
        return new WrittenProperties(keys);
    }

    /**
     * Refuses a {@code runnel.*} key that no property binds, naming it and the nearest
     * property. In an environment variable or a JVM system property it is only logged, and
     * only when a property is near: other tools (a launcher script, a build) share those.
     *
     * @throws InvalidRunnelProperty for the first such key
     */
    void refuseUnknown() {
        for (Key k : keys) {
            if (KNOWN_UNIFORM.contains(uniform(k.relative()))
                    || LISTS_UNIFORM.contains(uniform(withoutIndexes(k.relative())))) {
                continue; // a list's element is known; another property's is not (it would bind nothing)
            }
            Optional<String> nearest = Setting.closest(withoutIndexes(k.relative()), KNOWN)
                    .map(n -> RunnelProperties.PREFIX + "." + n);
            if (k.shared()) {
                nearest.ifPresent(n -> log.warn("{} sets no Runnel property and is ignored; did you mean {}?",
                        k.variable() ? "environment variable " + k.key() : "system property " + k.key(),
                        k.variable() ? variableOf(n) : n));
                continue;
            }
            throw InvalidRunnelProperty.unknown(k, nearest.orElse(null));
        }
    }

    /** Where the winning value of {@code property} ({@code runnel.default-pool-size}) was written, if here. */
    Optional<Key> find(String property) {
        String wanted = uniform(property.substring(RunnelProperties.PREFIX.length() + 1));
        return keys.stream().filter(k -> uniform(k.relative()).equals(wanted)).findFirst();
    }

    /** {@code runnel.default-pool-size} as an environment variable: {@code RUNNEL_DEFAULT_POOL_SIZE}. */
    static String variableOf(String property) {
        return property.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    private static String propertyRelative(String name) {
        String prefix = RunnelProperties.PREFIX + ".";
        if (!name.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        String relative = name.substring(prefix.length());
        return relative.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
    }

    private static String variableRelative(String name) {
        if (!name.startsWith(ENV_PREFIX)) {
            return null;
        }
        // RUNNEL_WORKER_PROCESSORS_0 is element 0 of runnel.worker.processors: worker-processors[0]
        String relative = name.substring(ENV_PREFIX.length()).replaceAll("_(\\d+)_?", "[$1]");
        return relative.replace('_', '-').toLowerCase(Locale.ROOT);
    }

    /** {@code worker.processors[0]} without its index. */
    private static String withoutIndexes(String relative) {
        return relative.replaceAll("\\[[^]]*]", "");
    }

    /** The comparable form: lower case, letters and digits only. */
    private static String uniform(String relative) {
        return relative.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    private static Set<String> uniform(List<String> relatives) {
        return relatives.stream().map(WrittenProperties::uniform).collect(Collectors.toUnmodifiableSet());
    }

    private static String originOf(PropertySource<?> source, String name) {
        if (source instanceof OriginLookup<?>) {
            @SuppressWarnings("unchecked")
            Origin origin = ((OriginLookup<String>) source).getOrigin(name);
            if (origin != null) {
                return origin.toString();
            }
        }
        if (source.getName().equals(CommandLinePropertySource.COMMAND_LINE_PROPERTY_SOURCE_NAME)) {
            return "the command line";
        }
        return "property source '" + source.getName() + "'";
    }

    /** The properties of a record, nested ones included; only its lists when {@code lists}. */
    private static List<String> known(Class<?> type, String prefix, boolean lists) {
        List<String> names = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            String name = prefix + c.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
            if (c.getType().isRecord()) {
                names.addAll(known(c.getType(), name + ".", lists));
            } else if (!lists || List.class.isAssignableFrom(c.getType())) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }
}
