// SPDX-License-Identifier: Apache-2.0

package io.runnel.spring;

import io.runnel.api.Misconfigured;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.TransportException;
import io.runnel.engine.InvalidSetting;
import io.runnel.engine.Settings;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

import java.util.Optional;

/**
 * Turns Runnel's start-up failures into Spring Boot's short "APPLICATION FAILED TO START"
 * report (the stack trace goes to DEBUG): a {@code runnel.*} property that is unknown or
 * has a bad value (named as written, where, and the nearest known property), any other
 * definition Runnel refused, and a Redis it could not reach. Messages carry no credentials:
 * Runnel's own never do, and URLs are shown redacted.
 */
final class RunnelFailureAnalyzer implements FailureAnalyzer {
    private static final String REFERENCE = "Every runnel.* property, with its default, is in Runnel's "
            + "settings reference (docs/reference/settings.md) and in your IDE's completion.";

    private final Environment environment;

    /** Spring Boot passes the application's environment. */
    RunnelFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    public FailureAnalysis analyze(Throwable failure) {
        InvalidRunnelProperty property = find(failure, InvalidRunnelProperty.class);
        if (property != null) {
            return analyze(property);
        }
        Misconfigured misconfigured = find(failure, Misconfigured.class);
        if (misconfigured instanceof InvalidSetting setting && !setting.override()) {
            Optional<WrittenProperties.Key> key = environment instanceof ConfigurableEnvironment c
                    ? WrittenProperties.of(c).find(RunnelProperties.propertyOf(setting.setting())) : Optional.empty();
            if (key.isPresent()) {
                return analyze(InvalidRunnelProperty.refused(key.get(), setting));
            }
            String name = RunnelProperties.propertyOf(setting.setting());
            return new FailureAnalysis("Runnel refused its configuration: " + setting.getMessage(),
                    "Set " + name + " (environment variable " + WrittenProperties.variableOf(name) + ") to a value it "
                            + "accepts. " + REFERENCE, failure);
        }
        if (misconfigured != null) {
            return new FailureAnalysis("Runnel refused a definition: " + misconfigured.getMessage(),
                    "Correct what the message names. Runnel checks streams, processors and settings as the application "
                            + "starts, so nothing ran with them. " + REFERENCE, failure);
        }
        TransportException transport = find(failure, TransportException.class);
        if (transport != null) {
            return new FailureAnalysis("Runnel could not reach Redis at " + redisUrl() + ": " + transport.getMessage(),
                    "Check that Redis runs and is reachable from here at that address, and that the URL's "
                            + "credentials and TLS are right; set the address with runnel.redis-url (environment "
                            + "variable RUNNEL_REDIS_URL).", failure);
        }
        return null;
    }

    private static FailureAnalysis analyze(InvalidRunnelProperty e) {
        String action;
        if (e.unknown()) {
            action = (e.suggestion() != null ? "Did you mean " + e.suggestion() + "? Rename " + e.key().key() + " to it"
                    : "Remove " + e.key().key() + " or rename it to a Runnel property") + ". " + REFERENCE;
        } else {
            action = "Correct the value of " + e.key().key() + (e.key().variable() ? "" : " in " + e.key().origin())
                    + ". " + REFERENCE;
        }
        return new FailureAnalysis(e.getMessage(), action, e);
    }

    /** The Redis URL the app was given, without credentials. */
    private String redisUrl() {
        String url = environment.getProperty(RunnelProperties.propertyOf("redis_url"),
                Settings.named("redis_url").orElseThrow().defaultValue());
        return ConnectionUrl.redact(url);
    }

    /** The outermost {@code type} in the chain of causes, or null. */
    private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
