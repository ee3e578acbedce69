// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.ConnectionUrl;
import io.runnel.redis.common.CommandTimeout;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.providers.ClusterConnectionProvider;
import redis.clients.jedis.providers.ConnectionProvider;
import redis.clients.jedis.providers.PooledConnectionProvider;
import redis.clients.jedis.providers.SentineledConnectionProvider;

/**
 * Where and how to connect, read from a Redis URL. The URL is parsed here rather than by
 * Jedis because Jedis understands neither Sentinel URLs nor the query parameters Lettuce
 * accepts, and a URL must mean the same to both transports:
 * <ul>
 *   <li>{@code redis://[[user]:password@]host[:port][/database]}, {@code rediss://} for TLS;
 *   <li>{@code redis-sentinel://[[user]:password@]host[:port][,host2[:port2]...][/database]#masterId},
 *       the master's name also accepted as {@code ?sentinelMasterId=}; the credentials are
 *       for the master, the sentinels are reached without;
 *   <li>{@code redis-cluster://[[user]:password@]host[:port][,host2[:port2]...]}, {@code rediss-cluster://}
 *       for TLS: seed nodes of a Redis Cluster, any of which tells the cluster's layout; the
 *       credentials and parameters hold for every node, and the database can only be 0;
 *   <li>query parameters, separated by {@code &} or {@code ;}, names in any case:
 *       {@code timeout} (a number with an optional unit {@code ns us ms s m h d},
 *       milliseconds without one, as in Lettuce; 60 s when absent), {@code database} or
 *       {@code db}, {@code clientName}, and {@code verifyPeer} ({@code FULL}/{@code true},
 *       {@code CA}, {@code NONE}/{@code false}) for TLS. Others are ignored, as Lettuce does.
 * </ul>
 * Where Lettuce quietly falls back to a default (a timeout with an unknown unit, a database
 * that is not a number) this parser rejects the URL instead, so a typo fails at start-up.
 * The password is held only to configure Jedis; {@link #toString()} leaves it out.
 */
final class RedisAddress {
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final int REDIS_PORT = 6379;
    private static final int SENTINEL_PORT = 26379;
    private static final Map<String, LongFunction<Duration>> TIME_UNITS = Map.of(
            "ns", Duration::ofNanos,
            "us", n -> Duration.ofNanos(Math.multiplyExact(n, 1000L)),
            "ms", Duration::ofMillis,
            "s", Duration::ofSeconds,
            "m", Duration::ofMinutes,
            "h", Duration::ofHours,
            "d", Duration::ofDays);

    private final boolean sentinel;
    private final boolean cluster;
    private final List<HostAndPort> nodes;
    private final String masterId;
    private final String user;
    private final String password;
    private final int database;
    private final boolean ssl;
    private final SslVerifyMode verifyPeer;
    private final Duration timeout;
    private final String clientName;

    private RedisAddress(Parts parts) {
        this.sentinel = parts.sentinel;
        this.cluster = parts.cluster;
        this.nodes = List.copyOf(parts.nodes);
        this.masterId = parts.masterId;
        this.user = parts.user;
        this.password = parts.password;
        this.database = parts.database;
        this.ssl = parts.ssl;
        this.verifyPeer = parts.verifyPeer;
        this.timeout = parts.timeout;
        this.clientName = parts.clientName;
    }

    /**
     * Reads a URL.
     *
     * @throws IllegalArgumentException with a message that never quotes the credentials
     */
    static RedisAddress parse(ConnectionUrl url) {
        URI uri = url.uri();
        Parts parts = new Parts();
        switch (url.scheme()) {
            case "redis" -> { }
            case "rediss" -> parts.ssl = true;
            case "redis-sentinel" -> parts.sentinel = true;
            case "redis-cluster" -> parts.cluster = true;
            case "rediss-cluster" -> {
                parts.cluster = true;
                parts.ssl = true;
            }
            default -> throw new IllegalArgumentException("unsupported scheme '" + url.scheme()
                    + "', expected redis, rediss, redis-sentinel, redis-cluster or rediss-cluster");
        }
        String authority = url.rawAuthority();
        if (authority == null || authority.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            credentials(authority.substring(0, at), parts);
        }
        for (String node : authority.substring(at + 1).split(",", -1)) {
            parts.nodes.add(hostAndPort(node, parts.sentinel ? SENTINEL_PORT : REDIS_PORT));
        }
        if (!parts.sentinel && !parts.cluster && parts.nodes.size() > 1) {
            throw new IllegalArgumentException("only a redis-sentinel or redis-cluster URL may name several hosts");
        }
        parts.database = databaseFromPath(uri.getRawPath());
        if (uri.getRawQuery() != null) {
            for (String parameter : uri.getRawQuery().split("[&;]")) {
                if (!parameter.isEmpty()) {
                    query(parameter, parts);
                }
            }
        }
        if (parts.cluster && parts.database != 0) {
            throw new IllegalArgumentException("a Redis Cluster has only database 0, not " + parts.database);
        }
        if (parts.sentinel) {
            if (parts.masterId == null && uri.getFragment() != null && !uri.getFragment().isEmpty()) {
                parts.masterId = uri.getFragment();
            }
            if (parts.masterId == null) {
                throw new IllegalArgumentException("a redis-sentinel URL needs the master's name,"
                        + " as #name or ?sentinelMasterId=name");
            }
        }
        return new RedisAddress(parts);
    }

    /** Bounds every command; blocking reads get it on top of their block time. */
    Duration timeout() {
        return timeout;
    }

    /** Whether the URL names a Redis Cluster. */
    boolean cluster() {
        return cluster;
    }

    /**
     * Opens a pool of connections to the server (with Sentinel: to the current master,
     * following failovers; on a cluster: a pool per node, and the slot map). Standalone
     * pools connect lazily; a Sentinel pool asks the sentinels for the master at once, a
     * cluster's provider asks the seed nodes for the cluster's layout.
     */
    ConnectionProvider connect(GenericObjectPoolConfig<Connection> pool) {
        if (cluster) {
            // No periodic refresh of the layout: it would cost a thread per provider, and the
            // transport reads the layout again whenever a command is redirected or a node fails.
            return new ClusterConnectionProvider(new LinkedHashSet<>(nodes), serverConfig(), pool);
        }
        if (sentinel) {
            return new SentineledConnectionProvider(masterId, serverConfig(), pool,
                    new LinkedHashSet<>(nodes), sentinelConfig());
        }
        return new PooledConnectionProvider(nodes.get(0), serverConfig(), pool);
    }

    private JedisClientConfig serverConfig() {
        DefaultJedisClientConfig.Builder config = baseConfig()
                .user(user)
                .password(password)
                .database(database)
                .clientName(clientName)
                .ssl(ssl);
        if (ssl && verifyPeer != SslVerifyMode.FULL) {
            config.sslOptions(SslOptions.builder().sslVerifyMode(verifyPeer).build());
        }
        return config.build();
    }

    private JedisClientConfig sentinelConfig() {
        return baseConfig().build();
    }

    private DefaultJedisClientConfig.Builder baseConfig() {
        return DefaultJedisClientConfig.builder()
                // No HELLO: a plain AUTH works on every server version, and RESP2 is the reply
                // shape this transport parses.
                .autoNegotiateProtocol(false)
                .connectionTimeoutMillis(saturatedMillis(timeout.compareTo(MAX_CONNECT_TIMEOUT) < 0
                        ? timeout : MAX_CONNECT_TIMEOUT))
                .socketTimeoutMillis(saturatedMillis(timeout));
    }

    /** Socket timeouts are ints in milliseconds; anything longer is as good as forever. */
    static int saturatedMillis(Duration duration) {
        long millis = duration.toMillis();
        return millis >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) Math.max(1, millis);
    }

    @Override
    public String toString() {
        return (sentinel ? "sentinel " + masterId + " via " : cluster ? "cluster via " : "") + nodes + "/" + database
                + (ssl ? " (TLS)" : "") + (password != null ? " (authenticated)" : "");
    }

    // ------------------------------------------------------------------ parsing

    private static void credentials(String userInfo, Parts parts) {
        // As in Lettuce: "user:password", ":password", or a lone "password".
        int colon = userInfo.indexOf(':');
        String rawUser = colon < 0 ? "" : userInfo.substring(0, colon);
        String rawPassword = colon < 0 ? userInfo : userInfo.substring(colon + 1);
        parts.user = rawUser.isEmpty() ? null : decode(rawUser, "user name");
        parts.password = rawPassword.isEmpty() ? null : decode(rawPassword, "password");
    }

    private static HostAndPort hostAndPort(String node, int defaultPort) {
        String host;
        String port;
        if (node.startsWith("[")) {
            int close = node.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed IPv6 address: " + node);
            }
            host = node.substring(1, close);
            String rest = node.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) {
                throw new IllegalArgumentException("unexpected text after IPv6 address: " + node);
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = node.lastIndexOf(':');
            host = colon < 0 ? node : node.substring(0, colon);
            port = colon < 0 ? null : node.substring(colon + 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        if (port == null || port.isEmpty()) {
            return new HostAndPort(host, defaultPort);
        }
        try {
            int number = Integer.parseInt(port);
            if (number < 1 || number > 65535) {
                throw new NumberFormatException();
            }
            return new HostAndPort(host, number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port '" + port + "' of host " + host);
        }
    }

    private static int databaseFromPath(String path) {
        if (path == null || path.isEmpty() || path.equals("/")) {
            return 0;
        }
        return database(path.substring(1));
    }

    private static int database(String text) {
        try {
            int database = Integer.parseInt(text);
            if (database < 0) {
                throw new NumberFormatException();
            }
            return database;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the database must be a number >= 0, not '" + text + "'");
        }
    }

    private static void query(String parameter, Parts parts) {
        int equals = parameter.indexOf('=');
        String name = equals < 0 ? parameter : parameter.substring(0, equals);
        String value = equals < 0 ? "" : decode(parameter.substring(equals + 1), "parameter " + name);
        switch (name.toLowerCase(Locale.ROOT)) {
            case "timeout" -> parts.timeout = timeout(value);
            case "database", "db" -> parts.database = database(value);
            case "sentinelmasterid" -> parts.masterId = value.isEmpty() ? null : value;
            case "clientname" -> parts.clientName = value.isEmpty() ? null : value;
            case "verifypeer" -> parts.verifyPeer = verifyPeer(value);
            default -> { } // Lettuce ignores parameters it does not know; so do we.
        }
    }

    private static Duration timeout(String text) {
        int digits = 0;
        while (digits < text.length() && Character.isDigit(text.charAt(digits))) {
            digits++;
        }
        LongFunction<Duration> unit = digits == text.length()
                ? Duration::ofMillis
                : TIME_UNITS.get(text.substring(digits).toLowerCase(Locale.ROOT));
        if (digits == 0 || unit == null) {
            throw new IllegalArgumentException("invalid timeout '" + text + "', expected e.g. 30s or 500ms");
        }
        Duration timeout;
        try {
            timeout = unit.apply(Long.parseLong(text.substring(0, digits)));
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("timeout '" + text + "' is too long");
        }
        return CommandTimeout.requirePositive(timeout, text);
    }

    private static SslVerifyMode verifyPeer(String text) {
        return switch (text.toUpperCase(Locale.ROOT)) {
            case "FULL", "TRUE" -> SslVerifyMode.FULL;
            case "CA" -> SslVerifyMode.CA;
            case "NONE", "FALSE" -> SslVerifyMode.INSECURE;
            default -> throw new IllegalArgumentException("invalid verifyPeer '" + text
                    + "', expected FULL, CA or NONE");
        };
    }

    /** Percent-decoding that keeps '+' as it is, and never quotes the text when it fails. */
    private static String decode(String raw, String what) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the " + what + " is not properly percent-encoded");
        }
    }

    /** The URL's pieces while they are being read. */
    private static final class Parts {
        boolean sentinel;
        boolean cluster;
        final List<HostAndPort> nodes = new ArrayList<>();
        String masterId;
        String user;
        String password;
        int database;
        boolean ssl;
        SslVerifyMode verifyPeer = SslVerifyMode.FULL;
        Duration timeout = CommandTimeout.DEFAULT;
        String clientName;
    }

    // Accessors for tests of the parsing; none of them exposes the password.

    boolean sentinel() {
        return sentinel;
    }

    List<HostAndPort> nodes() {
        return nodes;
    }

    String masterId() {
        return masterId;
    }

    String user() {
        return user;
    }

    boolean hasPassword() {
        return password != null;
    }

    int database() {
        return database;
    }

    boolean ssl() {
        return ssl;
    }

    SslVerifyMode verifyPeer() {
        return verifyPeer;
    }

    String clientName() {
        return clientName;
    }
}
