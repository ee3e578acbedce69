// SPDX-License-Identifier: Apache-2.0

package io.runnel.console;

import io.runnel.console.internal.ConsoleHandler;
import io.runnel.console.internal.JdkServer;
import io.runnel.engine.App;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The web console of an app, served on its own port: what {@code runnel console} runs. It
 * needs only the app's definition and its Redis; no worker has to run in the same process.
 *
 * <p>Settings: {@code console_host} (default {@code 127.0.0.1}: this machine only),
 * {@code console_port} (8090), {@code console_actions} ({@code off}: read-only) and
 * {@code console_token} (the token that signs in to the actions; generated at each start
 * when not set, see {@link #generatedToken()}).
 *
 * <pre>{@code
 * try (Console console = Console.start(app)) {
 *     System.out.println("console at " + console.uri());
 *     ...
 * }
 * }</pre>
 */
public final class Console implements AutoCloseable {
    /** How often the console samples the app for its history charts. */
    public static final Duration HISTORY_INTERVAL = Duration.ofSeconds(5);

    private final JdkServer server;
    private final String generatedToken;

    private Console(JdkServer server, String generatedToken) {
        this.server = server;
        this.generatedToken = generatedToken;
    }

    /**
     * Starts the console of {@code app} as its settings say.
     *
     * @param app the app
     * @return the running console
     * @throws UncheckedIOException when its address cannot be bound
     */
    public static Console start(App app) {
        return builder(app).start();
    }

    /**
     * A console of {@code app}, set up from its settings; change what differs, then
     * {@link Builder#start()}.
     *
     * @param app the app
     * @return the builder
     */
    public static Builder builder(App app) {
        return new Builder(app);
    }

    /** How a console is served. Not thread-safe. */
    public static final class Builder {
        private final App app;
        private String host;
        private int port;
        private boolean actions;
        private String token;
        private Duration historyInterval = HISTORY_INTERVAL;

        private Builder(App app) {
            this.app = app;
            var settings = app.settings();
            this.host = settings.consoleHost();
            this.port = settings.consolePort();
            this.actions = settings.consoleActions();
            this.token = settings.consoleToken().orElse(null);
        }

        /**
         * The address to listen on (setting {@code console_host}).
         *
         * @param address a host name or IP address; {@code 127.0.0.1} for this machine only
         * @return this builder
         */
        public Builder host(String address) {
            this.host = java.util.Objects.requireNonNull(address, "address");
            return this;
        }

        /**
         * The port (setting {@code console_port}).
         *
         * @param number 0 to 65535; 0 for any free port
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int number) {
            if (number < 0 || number > 65535) {
                throw new IllegalArgumentException("console_port must be 0 to 65535, got " + number);
            }
            this.port = number;
            return this;
        }

        /**
         * Whether a signed-in user may replay, purge and drop (setting {@code console_actions}).
         *
         * @param enabled true to offer the actions
         * @return this builder
         */
        public Builder actions(boolean enabled) {
            this.actions = enabled;
            return this;
        }

        /**
         * The token that signs in (setting {@code console_token}); null to generate one.
         *
         * @param secret the token
         * @return this builder
         */
        public Builder token(String secret) {
            this.token = secret == null || secret.isEmpty() ? null : secret;
            return this;
        }

        /**
         * How often the history charts get a point ({@link #HISTORY_INTERVAL} by default).
         *
         * @param interval a positive duration
         * @return this builder
         */
        public Builder historyInterval(Duration interval) {
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("the history interval must be positive, got " + interval);
            }
            this.historyInterval = interval;
            return this;
        }

        /**
         * Starts serving.
         *
         * @return the running console
         * @throws UncheckedIOException when its address cannot be bound
         */
        public Console start() {
            String used = token != null ? token : ConsoleTokens.generate();
            ConsoleHandler handler = new ConsoleHandler(app, "/", actions, used, historyInterval);
            try {
                return new Console(new JdkServer(handler, host, port), token != null ? null : used);
            } catch (IOException e) {
                handler.close();
                throw new UncheckedIOException("the console cannot listen on " + host + ":" + port
                        + " (console_host, console_port): " + e.getMessage(), e);
            }
        }
    }

    /**
     * Where the console is.
     *
     * @return the URL of its overview page
     */
    public URI uri() {
        return server.uri();
    }

    /**
     * The token generated at start, when {@code console_token} was not set: the one to sign in
     * with. Show it to the operator once; it appears nowhere else.
     *
     * @return the generated token, or empty when the setting gave one
     */
    public Optional<String> generatedToken() {
        return Optional.ofNullable(generatedToken);
    }

    /** Stops serving. */
    @Override
    public void close() {
        server.close();
    }
}
