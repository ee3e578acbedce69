// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Misconfigured;
import io.runnel.api.transport.ConnectionUrl;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every setting of an app, resolved. Each has a default, can be set by the environment
 * variable {@code RUNNEL_<NAME>} (e.g. {@code RUNNEL_DEFAULT_PARTITION_COUNT=4}) and
 * overridden on {@link App.Builder#setting(String, Object)}; the {@code default_*} ones can
 * be overridden again per stream or processor. A bad value fails at start-up with a
 * message naming the setting.
 *
 * <p>Durations accept a plain number in the setting's unit (as the Python original:
 * seconds for lock expiry, assignment sleep, grace period, max processing time and join delay; milliseconds for
 * read timeout, lease margin and leadership poll interval), a number with a unit ({@code 250ms},
 * {@code 2s}, {@code 1m}) or an ISO-8601 duration ({@code PT2S}).
 *
 * <p>Built only from the environment and {@link App.Builder}: its accessors are the API, so
 * adding a setting never breaks a caller. {@link #toString()} names the settings without the
 * URL's credentials.
 */
public final class Settings {
    private final String redisUrl;
    private final String transport;
    private final String logFormat;
    private final String logLevel;
    private final ZoneId timezone;
    private final Duration leadershipPollInterval;
    private final int defaultPartitionCount;
    private final long defaultPartitionSize;
    private final Retention.Policy defaultRetention;
    private final long defaultMaxPartitionSize;
    private final Duration defaultMaxAge;
    private final Duration defaultRetentionInterval;
    private final int sendReplicas;
    private final Duration sendReplicasTimeout;
    private final String defaultSerializer;
    private final String defaultCompressor;
    private final String defaultHasher;
    private final ExceptionPolicy defaultExceptionPolicy;
    private final RetryPolicy defaultRetry;
    private final Duration defaultLockExpiry;
    private final Duration defaultLeaseMargin;
    private final Duration defaultReadTimeout;
    private final int defaultPrefetchCount;
    private final int defaultAssignmentAttempts;
    private final String defaultAssignment;
    private final Duration defaultAssignmentSleep;
    private final Duration defaultGracePeriod;
    private final Duration defaultMaxProcessingTime;
    private final int defaultPoolSize;
    private final Duration defaultJoinDelay;
    private final String memberId;
    private final Duration defaultSessionTimeout;
    private final Set<String> metricsReporters;
    private final Duration metricsInterval;
    private final String metricsCsvDirectory;
    private final int metricsPort;

    private Settings(
            String redisUrl,
            String transport,
            String logFormat,
            String logLevel,
            ZoneId timezone,
            Duration leadershipPollInterval,
            int defaultPartitionCount,
            long defaultPartitionSize,
            Retention.Policy defaultRetention,
            long defaultMaxPartitionSize,
            Duration defaultMaxAge,
            Duration defaultRetentionInterval,
            int sendReplicas,
            Duration sendReplicasTimeout,
            String defaultSerializer,
            String defaultCompressor,
            String defaultHasher,
            ExceptionPolicy defaultExceptionPolicy,
            RetryPolicy defaultRetry,
            Duration defaultLockExpiry,
            Duration defaultLeaseMargin,
            Duration defaultReadTimeout,
            int defaultPrefetchCount,
            int defaultAssignmentAttempts,
            String defaultAssignment,
            Duration defaultAssignmentSleep,
            Duration defaultGracePeriod,
            Duration defaultMaxProcessingTime,
            int defaultPoolSize,
            Duration defaultJoinDelay,
            String memberId,
            Duration defaultSessionTimeout,
            Set<String> metricsReporters,
            Duration metricsInterval,
            String metricsCsvDirectory,
            int metricsPort) {
        this.redisUrl = redisUrl;
        this.transport = transport;
        this.logFormat = logFormat;
        this.logLevel = logLevel;
        this.timezone = timezone;
        this.leadershipPollInterval = leadershipPollInterval;
        this.defaultPartitionCount = defaultPartitionCount;
        this.defaultPartitionSize = defaultPartitionSize;
        this.defaultRetention = defaultRetention;
        this.defaultMaxPartitionSize = defaultMaxPartitionSize;
        this.defaultMaxAge = defaultMaxAge;
        this.defaultRetentionInterval = defaultRetentionInterval;
        this.sendReplicas = sendReplicas;
        this.sendReplicasTimeout = sendReplicasTimeout;
        this.defaultSerializer = defaultSerializer;
        this.defaultCompressor = defaultCompressor;
        this.defaultHasher = defaultHasher;
        this.defaultExceptionPolicy = defaultExceptionPolicy;
        this.defaultRetry = defaultRetry;
        this.defaultLockExpiry = defaultLockExpiry;
        this.defaultLeaseMargin = defaultLeaseMargin;
        this.defaultReadTimeout = defaultReadTimeout;
        this.defaultPrefetchCount = defaultPrefetchCount;
        this.defaultAssignmentAttempts = defaultAssignmentAttempts;
        this.defaultAssignment = defaultAssignment;
        this.defaultAssignmentSleep = defaultAssignmentSleep;
        this.defaultGracePeriod = defaultGracePeriod;
        this.defaultMaxProcessingTime = defaultMaxProcessingTime;
        this.defaultPoolSize = defaultPoolSize;
        this.defaultJoinDelay = defaultJoinDelay;
        this.memberId = memberId;
        this.defaultSessionTimeout = defaultSessionTimeout;
        this.metricsReporters = metricsReporters;
        this.metricsInterval = metricsInterval;
        this.metricsCsvDirectory = metricsCsvDirectory;
        this.metricsPort = metricsPort;
    }

    /**
     * Server URL ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, {@code redis-
     * cluster://}, {@code rediss-cluster://}).
     */
    public String redisUrl() {
        return redisUrl;
    }

    /** Transport name ({@code lettuce}, {@code jedis}, …), or null to pick by URL and classpath. */
    public String transport() {
        return transport;
    }

    /** {@code console} or {@code json}. */
    public String logFormat() {
        return logFormat;
    }

    /** Minimum log level. */
    public String logLevel() {
        return logLevel;
    }

    /** Default time zone of crontabs. */
    public ZoneId timezone() {
        return timezone;
    }

    /** How often workers try to become or stay leader. */
    public Duration leadershipPollInterval() {
        return leadershipPollInterval;
    }

    /** Partitions per stream. */
    public int defaultPartitionCount() {
        return defaultPartitionCount;
    }

    /** Under the {@code maxlen} retention: the approximate length each send trims to. */
    public long defaultPartitionSize() {
        return defaultPartitionSize;
    }

    /** What partition owners trim: {@code acked} (what every group acknowledged) or {@code maxlen}. */
    public Retention.Policy defaultRetention() {
        return defaultRetention;
    }

    /** The most entries a partition keeps, processed or not; 0 for no limit. */
    public long defaultMaxPartitionSize() {
        return defaultMaxPartitionSize;
    }

    /** The oldest entry a partition keeps, processed or not; zero for no limit. */
    public Duration defaultMaxAge() {
        return defaultMaxAge;
    }

    /** How often partition owners trim. */
    public Duration defaultRetentionInterval() {
        return defaultRetentionInterval;
    }

    /**
     * How many replicas must confirm a send before it returns (Redis WAIT); 0 for none, the
     * default: a send returns once the master has the entries.
     */
    public int sendReplicas() {
        return sendReplicas;
    }

    /**
     * How long a send waits for those replicas before it fails with {@code NotReplicated} (the
     * entries were appended).
     */
    public Duration sendReplicasTimeout() {
        return sendReplicasTimeout;
    }

    /** Serializer name for structured records, or null for the one on the classpath. */
    public String defaultSerializer() {
        return defaultSerializer;
    }

    /** Compressor name, or null for none. */
    public String defaultCompressor() {
        return defaultCompressor;
    }

    /** Hasher name, or null for the built-in default. */
    public String defaultHasher() {
        return defaultHasher;
    }

    /** What processors do when their function throws. */
    public ExceptionPolicy defaultExceptionPolicy() {
        return defaultExceptionPolicy;
    }

    /**
     * How processors retry a failed delivery in place before the exception policy applies
     * (default_retry_attempts, default_retry_backoff, default_retry_max_backoff,
     * default_retry_multiplier, default_retry_jitter).
     */
    public RetryPolicy defaultRetry() {
        return defaultRetry;
    }

    /** Partition lock and heartbeat time to live; at least twice the grace period. */
    public Duration defaultLockExpiry() {
        return defaultLockExpiry;
    }

    /**
     * How much sooner than its lock's expiry an executor stops acting for a partition it could not
     * renew (clock-rate drift allowance); under half of lock_expiry.
     */
    public Duration defaultLeaseMargin() {
        return defaultLeaseMargin;
    }

    /** How long one XREADGROUP blocks. */
    public Duration defaultReadTimeout() {
        return defaultReadTimeout;
    }

    /** Events buffered per owned partition. */
    public int defaultPrefetchCount() {
        return defaultPrefetchCount;
    }

    /** Tries to acquire assigned partitions before {@code RebalanceFailed}. */
    public int defaultAssignmentAttempts() {
        return defaultAssignmentAttempts;
    }

    /**
     * How partitions are spread over executors: {@code sticky} (moves only what must move) or
     * {@code ranges} (Python runnel's contiguous ranges).
     */
    public String defaultAssignment() {
        return defaultAssignment;
    }

    /** Wait between those tries (and between periodic rebalance checks). */
    public Duration defaultAssignmentSleep() {
        return defaultAssignmentSleep;
    }

    /** Time a revoked or stopping partition has to finish its iteration. */
    public Duration defaultGracePeriod() {
        return defaultGracePeriod;
    }

    /**
     * How long one delivery may stay with the processor function before it is interrupted and
     * failed with {@code ProcessingTimeout}.
     */
    public Duration defaultMaxProcessingTime() {
        return defaultMaxProcessingTime;
    }

    /** Concurrent reads (connections) per executor. */
    public int defaultPoolSize() {
        return defaultPoolSize;
    }

    /** Wait after joining before acquiring partitions. */
    public Duration defaultJoinDelay() {
        return defaultJoinDelay;
    }

    /**
     * This process's static member id (e.g. the host or pod name), or null for a dynamic member;
     * see {@code README} "Static membership".
     */
    public String memberId() {
        return memberId;
    }

    /**
     * How long a static member that stopped or crashed keeps its partitions reserved; zero for
     * lock_expiry.
     */
    public Duration defaultSessionTimeout() {
        return defaultSessionTimeout;
    }

    /**
     * Where a running worker reports metrics: any of {@code jmx}, {@code slf4j}, {@code csv}, or
     * the name of a {@link MetricsReporterProvider} on the classpath ({@code prometheus}); empty
     * for none.
     */
    public Set<String> metricsReporters() {
        return metricsReporters;
    }

    /** How often the {@code slf4j} and {@code csv} reporters write. */
    public Duration metricsInterval() {
        return metricsInterval;
    }

    /** Directory the {@code csv} reporter writes its files to. */
    public String metricsCsvDirectory() {
        return metricsCsvDirectory;
    }

    /** The port the {@code prometheus} reporter serves {@code /metrics} on. */
    public int metricsPort() {
        return metricsPort;
    }

    /** The settings by name, the Redis URL without its credentials. */
    @Override
    public String toString() {
        return "Settings[redis_url=" + ConnectionUrl.redact(redisUrl) + ", transport=" + transport
                + ", default_partition_count=" + defaultPartitionCount + ", default_exception_policy="
                + defaultExceptionPolicy + ", ...]";
    }


    /** Setting names with their defaults, in documentation order. */
    static final Map<String, String> DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("redis_url", "redis://127.0.0.1:6379");
        d.put("transport", "");
        d.put("log_format", "console");
        d.put("log_level", "info");
        d.put("timezone", "UTC");
        d.put("leadership_poll_interval", "4000");
        d.put("default_partition_count", "16");
        d.put("default_partition_size", "50000");
        d.put("default_retention", "acked");
        d.put("default_max_partition_size", "0");
        d.put("default_max_age", "0");
        d.put("default_retention_interval", "10");
        d.put("send_replicas", "0");
        d.put("send_replicas_timeout", "1000");
        d.put("default_serializer", "");
        d.put("default_compressor", "");
        d.put("default_hasher", "");
        d.put("default_exception_policy", "HALT");
        d.put("default_retry_attempts", "1");
        d.put("default_retry_backoff", "100");
        d.put("default_retry_max_backoff", "10000");
        d.put("default_retry_multiplier", "2");
        d.put("default_retry_jitter", "0.2");
        d.put("default_lock_expiry", "120");
        d.put("default_lease_margin", "500");
        d.put("default_read_timeout", "2000");
        d.put("default_prefetch_count", "100");
        d.put("default_assignment_attempts", "32");
        d.put("default_assignment", "sticky");
        d.put("default_assignment_sleep", "2");
        d.put("default_grace_period", "8");
        d.put("default_max_processing_time", "300");
        d.put("default_pool_size", "16");
        d.put("default_join_delay", "2");
        d.put("member_id", "");
        d.put("default_session_timeout", "0");
        d.put("metrics_reporters", "jmx");
        d.put("metrics_interval", "60");
        d.put("metrics_csv_directory", "metrics");
        d.put("metrics_port", "9464");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private static final Set<String> LOG_FORMATS = Set.of("console", "json");
    private static final Set<String> ASSIGNMENTS = Set.of("sticky", "ranges");
    private static final java.util.regex.Pattern MEMBER_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_\\-.]{1,200}");
    private static final Set<String> REPORTERS = Set.of("jmx", "slf4j", "csv");
    private static final Set<String> LOG_LEVELS = Set.of("trace", "debug", "info", "warn", "warning", "error");

    /** The defaults, ignoring the environment. */
    public static Settings defaults() {
        return resolve(Map.of(), Map.of());
    }

    /** Defaults overridden by {@code RUNNEL_*} variables of this process's environment. */
    public static Settings fromEnvironment() {
        return resolve(System.getenv(), Map.of());
    }

    /**
     * Resolves settings: defaults, then {@code RUNNEL_<NAME>} entries of {@code environment},
     * then {@code overrides} (keyed by setting name, e.g. {@code default_pool_size}).
     *
     * @throws Misconfigured naming the first setting that is unknown or has a bad value
     */
    public static Settings resolve(Map<String, String> environment, Map<String, ?> overrides) {
        Map<String, String> raw = new LinkedHashMap<>(DEFAULTS);
        for (String name : DEFAULTS.keySet()) {
            String value = environment.get("RUNNEL_" + name.toUpperCase(Locale.ROOT));
            if (value != null) {
                raw.put(name, value.trim());
            }
        }
        overrides.forEach((name, value) -> {
            String key = normalise(name);
            if (!DEFAULTS.containsKey(key)) {
                throw new Misconfigured("unknown setting '" + name + "'; known settings: " + DEFAULTS.keySet());
            }
            raw.put(key, value == null ? "" : asText(value));
        });
        return parse(raw);
    }

    /**
     * Accepts {@code default_pool_size}, {@code DEFAULT_POOL_SIZE}, {@code
     * RUNNEL_DEFAULT_POOL_SIZE} or {@code defaultPoolSize}.
     */
    static String normalise(String name) {
        String n = name.trim();
        if (n.toUpperCase(Locale.ROOT).startsWith("RUNNEL_")) {
            n = n.substring("RUNNEL_".length());
        }
        n = n.replaceAll("([a-z0-9])([A-Z])", "$1_$2");
        return n.toLowerCase(Locale.ROOT);
    }

    private static String asText(Object value) {
        if (value instanceof Duration d) {
            return d.toMillis() + "ms";
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value.toString().trim();
    }

    private static Settings parse(Map<String, String> raw) {
        String redisUrl = raw.get("redis_url");
        try {
            ConnectionUrl.parse(redisUrl);
        } catch (IllegalArgumentException e) {
            throw bad("redis_url", ConnectionUrl.redact(redisUrl), "a URL such as redis://host:6379 (" + e.getMessage() + ")");
        }
        String logFormat = raw.get("log_format").toLowerCase(Locale.ROOT);
        if (!LOG_FORMATS.contains(logFormat)) {
            throw bad("log_format", logFormat, "one of " + LOG_FORMATS);
        }
        String logLevel = raw.get("log_level").toLowerCase(Locale.ROOT);
        if (!LOG_LEVELS.contains(logLevel)) {
            throw bad("log_level", logLevel, "one of trace, debug, info, warn, error");
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(raw.get("timezone"));
        } catch (RuntimeException e) {
            throw bad("timezone", raw.get("timezone"), "a time zone id such as UTC or Europe/London");
        }
        Settings s = new Settings(
                redisUrl,
                emptyToNull(raw.get("transport")),
                logFormat,
                logLevel,
                zone,
                duration(raw, "leadership_poll_interval", "ms"),
                positiveInt(raw, "default_partition_count"),
                positiveLong(raw, "default_partition_size"),
                retention(raw.get("default_retention")),
                nonNegativeLong(raw, "default_max_partition_size"),
                durationAllowZero(raw, "default_max_age", "s"),
                duration(raw, "default_retention_interval", "s"),
                replicas(raw),
                duration(raw, "send_replicas_timeout", "ms"),
                emptyToNull(raw.get("default_serializer")),
                emptyToNull(raw.get("default_compressor")),
                emptyToNull(raw.get("default_hasher")),
                policy(raw.get("default_exception_policy")),
                retry(raw),
                duration(raw, "default_lock_expiry", "s"),
                duration(raw, "default_lease_margin", "ms"),
                duration(raw, "default_read_timeout", "ms"),
                positiveInt(raw, "default_prefetch_count"),
                positiveInt(raw, "default_assignment_attempts"),
                oneOf(raw, "default_assignment", ASSIGNMENTS),
                duration(raw, "default_assignment_sleep", "s"),
                duration(raw, "default_grace_period", "s"),
                duration(raw, "default_max_processing_time", "s"),
                positiveInt(raw, "default_pool_size"),
                durationAllowZero(raw, "default_join_delay", "s"),
                memberId(raw.get("member_id")),
                durationAllowZero(raw, "default_session_timeout", "s"),
                reporters(raw.get("metrics_reporters")),
                duration(raw, "metrics_interval", "s"),
                nonBlank(raw, "metrics_csv_directory"),
                port(raw, "metrics_port"));
        if (s.defaultReadTimeout.compareTo(s.defaultGracePeriod) >= 0) {
            throw new Misconfigured("setting default_read_timeout (" + s.defaultReadTimeout.toMillis()
                    + " ms) must be shorter than default_grace_period (" + s.defaultGracePeriod.toMillis()
                    + " ms): a revoked partition waits for its last read to finish within the grace period");
        }
        Timings.check("setting ", "default_", s.defaultLockExpiry, s.defaultLeaseMargin, s.defaultGracePeriod);
        return s;
    }

    private static Set<String> reporters(String value) {
        Set<String> chosen = new TreeSet<>();
        for (String part : value.split(",")) {
            String r = part.trim().toLowerCase(Locale.ROOT);
            if (r.isEmpty() || r.equals("none")) {
                continue;
            }
            if (!REPORTERS.contains(r) && MetricsReporting.provider(r).isEmpty()) {
                throw bad("metrics_reporters", value, "a comma-separated list of jmx, slf4j, csv, or a reporter on the "
                        + "classpath (" + (r.equals("prometheus") ? "prometheus needs io.runnel:runnel-prometheus"
                        : "found: " + MetricsReporting.providerNames()) + "), or none");
            }
            chosen.add(r);
        }
        return Set.copyOf(chosen);
    }

    private static String nonBlank(Map<String, String> raw, String name) {
        String v = raw.get(name);
        if (v == null || v.isBlank()) {
            throw bad(name, v, "a non-empty value");
        }
        return v.trim();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim().toLowerCase(Locale.ROOT);
    }

    private static Retention.Policy retention(String value) {
        try {
            return Retention.Policy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("default_retention", value, "acked or maxlen");
        }
    }

    private static ExceptionPolicy policy(String value) {
        try {
            return ExceptionPolicy.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw bad("default_exception_policy", value, "one of HALT, QUARANTINE, IGNORE, PARK");
        }
    }

    private static RetryPolicy retry(Map<String, String> raw) {
        int attempts = positiveInt(raw, "default_retry_attempts");
        Duration backoff = durationAllowZero(raw, "default_retry_backoff", "ms");
        Duration maxBackoff = durationAllowZero(raw, "default_retry_max_backoff", "ms");
        if (maxBackoff.compareTo(backoff) < 0) {
            throw bad("default_retry_max_backoff", raw.get("default_retry_max_backoff"),
                    "at least default_retry_backoff (" + backoff.toMillis() + " ms)");
        }
        double multiplier = decimal(raw, "default_retry_multiplier");
        if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
            throw bad("default_retry_multiplier", raw.get("default_retry_multiplier"), "a number of at least 1");
        }
        double jitter = decimal(raw, "default_retry_jitter");
        if (!(jitter >= 0 && jitter <= 1)) {
            throw bad("default_retry_jitter", raw.get("default_retry_jitter"), "a fraction from 0 to 1");
        }
        return new RetryPolicy(attempts, backoff, maxBackoff, multiplier, jitter);
    }

    private static double decimal(Map<String, String> raw, String name) {
        try {
            return Double.parseDouble(raw.get(name).trim());
        } catch (NumberFormatException e) {
            throw bad(name, raw.get(name), "a number");
        }
    }

    private static int replicas(Map<String, String> raw) {
        long v = nonNegativeLong(raw, "send_replicas");
        if (v > 100) {
            throw bad("send_replicas", raw.get("send_replicas"), "the number of replicas a send waits for, 0 to 100");
        }
        return (int) v;
    }

    private static int port(Map<String, String> raw, String name) {
        long v = nonNegativeLong(raw, name);
        if (v > 65535) {
            throw bad(name, raw.get(name), "a TCP port, 0 to 65535 (0: any free port)");
        }
        return (int) v;
    }

    private static int positiveInt(Map<String, String> raw, String name) {
        long v = positiveLong(raw, name);
        if (v > Integer.MAX_VALUE) {
            throw bad(name, raw.get(name), "a positive whole number below 2^31");
        }
        return (int) v;
    }

    /** Null for none; otherwise a name safe inside Redis keys, as executor ids must be. */
    private static String memberId(String value) {
        String v = value == null ? "" : value.trim();
        if (v.isEmpty()) {
            return null;
        }
        if (!MEMBER_ID.matcher(v).matches()) {
            throw bad("member_id", value, "1 to 200 letters, digits, '_', '-' or '.' (e.g. the host or pod name)");
        }
        return v;
    }

    private static String oneOf(Map<String, String> raw, String name, Set<String> allowed) {
        String value = raw.get(name).trim().toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw bad(name, raw.get(name), "one of " + String.join(", ", new TreeSet<>(allowed)));
        }
        return value;
    }

    private static long nonNegativeLong(Map<String, String> raw, String name) {
        String value = raw.get(name).replace("_", "");
        try {
            long v = Long.parseLong(value);
            if (v < 0) {
                throw bad(name, raw.get(name), "a whole number, 0 for no limit");
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad(name, raw.get(name), "a whole number, 0 for no limit");
        }
    }

    private static long positiveLong(Map<String, String> raw, String name) {
        String value = raw.get(name).replace("_", "");
        try {
            long v = Long.parseLong(value);
            if (v <= 0) {
                throw bad(name, raw.get(name), "a positive whole number");
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad(name, raw.get(name), "a positive whole number");
        }
    }

    private static Duration duration(Map<String, String> raw, String name, String unit) {
        Duration d = durationAllowZero(raw, name, unit);
        if (d.isZero()) {
            throw bad(name, raw.get(name), "a positive duration");
        }
        return d;
    }

    private static Duration durationAllowZero(Map<String, String> raw, String name, String unit) {
        String value = raw.get(name);
        Duration d = parseDuration(value, unit);
        if (d == null || d.isNegative()) {
            throw bad(name, value, "a duration: a number of " + (unit.equals("s") ? "seconds" : "milliseconds")
                    + ", or with a unit (250ms, 2s, 1m), or ISO-8601 (PT2S)");
        }
        return d;
    }

    /** Parses a duration; a bare number is in {@code unit} ({@code s} or {@code ms}). Null if malformed. */
    static Duration parseDuration(String value, String unit) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
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

    static Misconfigured bad(String name, String value, String expected) {
        return new Misconfigured("setting " + name + " (env RUNNEL_" + name.toUpperCase(Locale.ROOT)
                + ") has invalid value '" + value + "': expected " + expected);
    }
}
