// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.Misconfigured;
import io.runnel.api.transport.ConnectionUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.runnel.engine.Setting.Scope.APP;
import static io.runnel.engine.Setting.Scope.PROCESSOR;
import static io.runnel.engine.Setting.Scope.STREAM;

/**
 * Every setting of an app: declared here, once each ({@link #declared()}), and resolved.
 * Each has a default, can be set by the environment variable {@code RUNNEL_<NAME>} (e.g.
 * {@code RUNNEL_DEFAULT_PARTITION_COUNT=4}) and overridden on
 * {@link App.Builder#setting(String, Object)}; the stream- and processor-scoped
 * {@code default_*} ones can be overridden again per stream ({@link StreamOptions}) or
 * processor ({@link ProcessorOptions}). A bad value fails at start-up with a message naming
 * the setting; a misspelt name, with the nearest known one.
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
    private static final Logger log = LoggerFactory.getLogger(Settings.class);
    private static final String ENV_PREFIX = "RUNNEL_";

    /** The declarations in documentation order, filled by {@link #declare} as the constants below initialise. */
    private static final List<Setting<?>> DECLARED = new ArrayList<>();

    static final Setting<String> REDIS_URL = declare("redis_url", SettingType.redisUrl(), "redis://127.0.0.1:6379", APP,
            "server URL (`redis://[user:password@]host:port/db`, `rediss://`, `redis-sentinel://`, "
                    + "`redis-cluster://host:port,host:port`, `rediss-cluster://`)");
    static final Setting<String> TRANSPORT = declare("transport", SettingType.nameOrNone("lettuce", "jedis", "memory"),
            "", "(by URL and classpath)", APP,
            "`lettuce`, `jedis` or `memory`; needed only when several on the classpath can open the URL");
    static final Setting<String> LOG_FORMAT = declare("log_format", SettingType.oneOf(List.of("console", "json")),
            "console", APP, "`console` or `json`; applied by the command line's Logback setup (see [Logging](../operations/logging.md)); "
                    + "library users configure their own SLF4J backend");
    static final Setting<String> LOG_LEVEL = declare("log_level",
            SettingType.oneOf(List.of("trace", "debug", "info", "warn", "error"), "warning"), "info", APP,
            "`trace`, `debug`, `info`, `warn`, `error`; same as `log_format`");
    static final Setting<ZoneId> TIMEZONE = declare("timezone", SettingType.zone(), "UTC", APP,
            "default time zone of crontabs");
    static final Setting<Duration> LEADERSHIP_POLL_INTERVAL = declare("leadership_poll_interval",
            SettingType.positiveDuration("ms"), "4000", APP, "how often workers renew or seek leadership");
    static final Setting<Integer> DEFAULT_PARTITION_COUNT = declare("default_partition_count", SettingType.positiveInt(),
            "16", STREAM, "partitions per stream");
    static final Setting<Long> DEFAULT_PARTITION_SIZE = declare("default_partition_size", SettingType.positiveLong(),
            "50000", STREAM, "under the `maxlen` retention: the approximate length each send trims its partition to "
                    + "(`MAXLEN ~`)");
    static final Setting<Retention.Policy> DEFAULT_RETENTION = declare("default_retention",
            SettingType.constant(Retention.Policy.class), "acked", STREAM,
            "what partition owners trim: `acked` (below what every consumer group still needs) or `maxlen` "
                    + "(see [Retention](../concepts/streams-and-retention.md#retention-what-is-trimmed-and-what-is-never-lost-to-trimming))");
    static final Setting<Long> DEFAULT_MAX_PARTITION_SIZE = declare("default_max_partition_size", SettingType.limit(),
            "0", STREAM, "the most entries a partition keeps, processed or not (loudly); `0` for no limit");
    static final Setting<Duration> DEFAULT_MAX_AGE = declare("default_max_age", SettingType.duration("s"), "0", STREAM,
            "the oldest entry a partition keeps by stream-id time, processed or not (loudly); `0` for no limit");
    static final Setting<Duration> DEFAULT_RETENTION_INTERVAL = declare("default_retention_interval",
            SettingType.positiveDuration("s"), "10", STREAM, "time between a partition owner's trims");
    static final Setting<Integer> SEND_REPLICAS = declare("send_replicas",
            SettingType.intFrom(0, 100, "the number of replicas a send waits for, 0 to 100"), "0", APP,
            "replicas that must confirm a send before it returns (Redis `WAIT`); 0: once the master has it");
    static final Setting<Duration> SEND_REPLICAS_TIMEOUT = declare("send_replicas_timeout",
            SettingType.positiveDuration("ms"), "1000", APP,
            "how long a send waits for them before failing with `NotReplicated` (the entries were appended)");
    static final Setting<String> DEFAULT_SERIALIZER = declare("default_serializer", SettingType.nameOrNone("json", "avro"),
            "", "(`json` when present)", STREAM, "serializer for structured records");
    static final Setting<String> DEFAULT_COMPRESSOR = declare("default_compressor",
            SettingType.nameOrNone("gzip", "lz4", "zstd", "none"), "", "(none)", STREAM,
            "compressor for structured records: `gzip`, `lz4` or `zstd` (the last two with `runnel-compress`), `none`");
    static final Setting<String> DEFAULT_HASHER = declare("default_hasher", SettingType.nameOrNone("murmur3", "python"),
            "", "`murmur3`", STREAM,
            "maps partition keys to partitions: `murmur3` or `python` (Python runnel's md5)");
    static final Setting<ExceptionPolicy> DEFAULT_EXCEPTION_POLICY = declare("default_exception_policy",
            SettingType.constant(ExceptionPolicy.class), "HALT", PROCESSOR,
            "what a processor does when its function throws: `HALT`, `QUARANTINE`, `IGNORE` or `PARK`");
    static final Setting<Integer> DEFAULT_RETRY_ATTEMPTS = declare("default_retry_attempts", SettingType.positiveInt(),
            "1", PROCESSOR, "tries of a failed delivery in all, in place, before the exception policy applies; 1: no retry");
    static final Setting<Duration> DEFAULT_RETRY_BACKOFF = declare("default_retry_backoff", SettingType.duration("ms"),
            "100", PROCESSOR, "pause after the first failed try");
    static final Setting<Duration> DEFAULT_RETRY_MAX_BACKOFF = declare("default_retry_max_backoff",
            SettingType.duration("ms"), "10000", PROCESSOR, "longest pause between tries; at least `default_retry_backoff`");
    static final Setting<Double> DEFAULT_RETRY_MULTIPLIER = declare("default_retry_multiplier",
            SettingType.decimal(1, Double.MAX_VALUE, "a number of at least 1"), "2", PROCESSOR,
            "how much each pause grows over the previous one (at least 1)");
    static final Setting<Double> DEFAULT_RETRY_JITTER = declare("default_retry_jitter",
            SettingType.decimal(0, 1, "a fraction from 0 to 1"), "0.2", PROCESSOR,
            "fraction of a pause it is lengthened or shortened by at random, 0 to 1");
    static final Setting<Duration> DEFAULT_LOCK_EXPIRY = declare("default_lock_expiry", SettingType.positiveDuration("s"),
            "30", PROCESSOR, "partition lock and heartbeat time to live: how soon a crashed worker's partitions move; "
                    + "at least twice `default_grace_period`");
    static final Setting<Duration> DEFAULT_LEASE_MARGIN = declare("default_lease_margin",
            SettingType.positiveDuration("ms"), "500", PROCESSOR,
            "how much sooner than its lock's expiry an executor stops acting for a partition it could not renew: "
                    + "room for clock-rate drift between Redis and the JVM; under half of `default_lock_expiry`");
    static final Setting<Duration> DEFAULT_READ_TIMEOUT = declare("default_read_timeout",
            SettingType.positiveDuration("ms"), "2000", PROCESSOR,
            "how long one XREADGROUP blocks; shorter than the grace period");
    static final Setting<Integer> DEFAULT_PREFETCH_COUNT = declare("default_prefetch_count", SettingType.positiveInt(),
            "100", PROCESSOR, "events read at once, and buffered, per owned partition (the Python original's 8 cost a "
                    + "round trip every few events; see runnel-bench)");
    static final Setting<Integer> DEFAULT_MAX_IN_FLIGHT = declare("default_max_in_flight", SettingType.positiveInt(),
            "1", PROCESSOR, "deliveries of different keys a per-record processor runs at once per owned partition, each on "
                    + "its own virtual thread; a key's events still run one after another, in order. 1: one at a time");
    static final Setting<ProcessingGuarantee> DEFAULT_PROCESSING_GUARANTEE = declare("default_processing_guarantee",
            SettingType.constant(ProcessingGuarantee.class), "at_least_once", PROCESSOR,
            "what a processor with a context (`eachRecordWithContext`) promises of its sends and state: "
                    + "`at_least_once` (sends go out at once, and again if the event is processed again) or "
                    + "`exactly_once` (sends and state changes commit atomically with the ack, fenced by the lease)");
    static final Setting<Duration> DEFAULT_COMMIT_INTERVAL = declare("default_commit_interval",
            SettingType.positiveDuration("ms"), "100", PROCESSOR,
            "longest time a completed delivery of a processor with a context waits before its ack, state changes "
                    + "and (under `exactly_once`) sends commit; a commit also goes once 128 deliveries have gathered");
    static final Setting<Integer> DEFAULT_COMMIT_REPLICAS = declare("default_commit_replicas",
            SettingType.intFrom(0, 100, "the number of replicas a commit waits for, 0 to 100"), "0", PROCESSOR,
            "replicas that must confirm a commit of a processor with a context before its partition's next commit "
                    + "goes (Redis `WAIT`, up to `send_replicas_timeout`; a commit they do not confirm in time stays "
                    + "done and is logged at WARN); 0: once the master has it");
    static final Setting<String> DEFAULT_ASSIGNMENT = declare("default_assignment",
            SettingType.oneOf(List.of("sticky", "ranges")), "sticky", APP,
            "how partitions are spread over a processor's executors: `sticky` (balanced, moves only what must move) or "
                    + "`ranges` (Python runnel's contiguous ranges; for processors shared with Python workers)");
    static final Setting<Integer> DEFAULT_ASSIGNMENT_ATTEMPTS = declare("default_assignment_attempts",
            SettingType.positiveInt(), "32", PROCESSOR, "tries to acquire assigned partitions before `RebalanceFailed`");
    static final Setting<String> MEMBER_ID = declare("member_id", SettingType.memberId(), "", "(none)", APP,
            "this worker process's static member id (letters, digits, `_`, `-`, `.`; e.g. the host or pod name); "
                    + "none for a dynamic member");
    static final Setting<Duration> DEFAULT_SESSION_TIMEOUT = declare("default_session_timeout", SettingType.duration("s"),
            "0", "`0` (= `lock_expiry`)", APP,
            "how long a static member that stopped or crashed keeps its partitions reserved");
    static final Setting<Duration> DEFAULT_ASSIGNMENT_SLEEP = declare("default_assignment_sleep",
            SettingType.positiveDuration("s"), "2", PROCESSOR, "wait between tries and between periodic rebalance checks");
    static final Setting<Duration> DEFAULT_GRACE_PERIOD = declare("default_grace_period",
            SettingType.positiveDuration("s"), "8", PROCESSOR,
            "time a revoked or stopping partition has to finish its iteration");
    static final Setting<Duration> DEFAULT_MAX_PROCESSING_TIME = declare("default_max_processing_time",
            SettingType.positiveDuration("s"), "300", PROCESSOR,
            "how long one delivery may stay with the processor function before it is interrupted and fails with "
                    + "`ProcessingTimeout` (see [Stuck handlers](../concepts/processors-and-failure-policies.md#stuck-handlers))");
    static final Setting<Integer> DEFAULT_POOL_SIZE = declare("default_pool_size", SettingType.positiveInt(), "16",
            PROCESSOR, "concurrent reads (connections) per processor per worker");
    static final Setting<Duration> DEFAULT_JOIN_DELAY = declare("default_join_delay", SettingType.duration("s"), "2",
            PROCESSOR, "wait before joining a processor, while the members keep their partitions");
    static final Setting<Set<String>> METRICS_REPORTERS = declare("metrics_reporters",
            SettingType.reporters(Set.of("jmx", "slf4j", "csv")), "jmx", APP,
            "comma-separated: `jmx`, `slf4j`, `csv`, `prometheus` (with `runnel-prometheus`); `none` for none");
    static final Setting<Duration> METRICS_INTERVAL = declare("metrics_interval", SettingType.positiveDuration("s"), "60",
            APP, "how often the `slf4j` and `csv` reporters write");
    static final Setting<String> METRICS_CSV_DIRECTORY = declare("metrics_csv_directory", SettingType.nonBlank(),
            "metrics", APP, "where the `csv` reporter writes (created if missing)");
    static final Setting<Integer> METRICS_PORT = declare("metrics_port",
            SettingType.intFrom(0, 65535, "a TCP port, 0 to 65535 (0: any free port)"), "9464", APP,
            "the port the `prometheus` reporter serves `/metrics` on (0: any free port)");
    static final Setting<String> METRICS_HOST = declare("metrics_host", SettingType.host(), "127.0.0.1", APP,
            "the address the `prometheus` reporter listens on: `127.0.0.1` for this machine only, `0.0.0.0` (or `::`) "
                    + "for every interface, or one interface's address or host name");
    static final Setting<Integer> CONSOLE_PORT = declare("console_port",
            SettingType.intFrom(0, 65535, "a TCP port, 0 to 65535 (0: any free port)"), "8090", APP,
            "the port `runnel console` serves the web console on (0: any free port)");
    static final Setting<String> CONSOLE_HOST = declare("console_host", SettingType.host(), "127.0.0.1", APP,
            "the address the web console listens on: `127.0.0.1` for this machine only; another address lets other "
                    + "machines reach it, so keep `console_actions` off or the token secret");
    static final Setting<String> CONSOLE_ACTIONS = declare("console_actions", SettingType.oneOf(List.of("off", "on")),
            "off", APP, "`on` lets the web console replay and purge dead letters and replay or drop parked keys, "
                    + "for whoever signs in with `console_token`; `off`: read-only");
    static final Setting<String> CONSOLE_TOKEN = declare("console_token", SettingType.secret(), "", "(generated)",
            APP, "the token that signs in to the web console's actions; when not set, one is generated at each start "
                    + "and printed once. Never shown in the console or the logs");

    static final Setting<String> CONSOLE_PATH = declare("console_path", SettingType.pathOrNone(), "", "(not mounted)",
            APP, "where the Spring Boot starter mounts the web console in a servlet web application, such as "
                    + "`/runnel`; not set: not mounted");

    private static final Map<String, Setting<?>> BY_NAME = new LinkedHashMap<>();

    static {
        for (Setting<?> s : DECLARED) {
            BY_NAME.put(s.name(), s);
        }
    }

    private static <T> Setting<T> declare(String name, SettingType<T> type, String defaultValue, Setting.Scope scope,
                                          String documentation) {
        return declare(name, type, defaultValue, null, scope, documentation);
    }

    private static <T> Setting<T> declare(String name, SettingType<T> type, String defaultValue, String defaultNote,
                                          Setting.Scope scope, String documentation) {
        Setting<T> setting = new Setting<>(name, type, defaultValue, defaultNote, scope, documentation);
        DECLARED.add(setting);
        return setting;
    }

    private final Map<Setting<?>, Object> values;
    private final RetryPolicy defaultRetry;

    private Settings(Map<Setting<?>, Object> values, RetryPolicy defaultRetry) {
        this.values = values;
        this.defaultRetry = defaultRetry;
    }

    /**
     * Every setting, in documentation order.
     *
     * @return every declared setting, unmodifiable
     */
    public static List<Setting<?>> declared() {
        return Collections.unmodifiableList(DECLARED);
    }

    /**
     * The setting a name means: {@code default_pool_size}, {@code DEFAULT_POOL_SIZE},
     * {@code RUNNEL_DEFAULT_POOL_SIZE}, {@code defaultPoolSize} or {@code default-pool-size}.
     *
     * @param name a setting's name in any of those spellings
     * @return the setting; empty when no setting has that name
     */
    public static Optional<Setting<?>> named(String name) {
        return Optional.ofNullable(BY_NAME.get(normalise(name)));
    }

    /** The value of {@code setting}. */
    @SuppressWarnings("unchecked")
    <T> T value(Setting<T> setting) {
        return (T) values.get(setting);
    }

    /**
     * Server URL ({@code redis://}, {@code rediss://}, {@code redis-sentinel://}, {@code redis-
     * cluster://}, {@code rediss-cluster://}).
     *
     * @return the URL as given, credentials included (redact it before showing it)
     */
    public String redisUrl() {
        return value(REDIS_URL);
    }

    /**
     * Transport name ({@code lettuce}, {@code jedis}, …), or null to pick by URL and classpath.
     *
     * @return the transport's name, or null
     */
    public String transport() {
        return value(TRANSPORT);
    }

    /**
     * {@code console} or {@code json}.
     *
     * @return the log format's name
     */
    public String logFormat() {
        return value(LOG_FORMAT);
    }

    /**
     * Minimum log level.
     *
     * @return {@code trace}, {@code debug}, {@code info}, {@code warn} or {@code error}
     */
    public String logLevel() {
        return value(LOG_LEVEL);
    }

    /**
     * Default time zone of crontabs.
     *
     * @return the zone crontabs without their own run in
     */
    public ZoneId timezone() {
        return value(TIMEZONE);
    }

    /**
     * How often workers try to become or stay leader.
     *
     * @return the time between a worker's leadership checks
     */
    public Duration leadershipPollInterval() {
        return value(LEADERSHIP_POLL_INTERVAL);
    }

    /**
     * Partitions per stream.
     *
     * @return the number of partitions of a stream that sets none, at least 1
     */
    public int defaultPartitionCount() {
        return value(DEFAULT_PARTITION_COUNT);
    }

    /**
     * Under the {@code maxlen} retention: the approximate length each send trims to.
     *
     * @return the number of entries, at least 1
     */
    public long defaultPartitionSize() {
        return value(DEFAULT_PARTITION_SIZE);
    }

    /**
     * What partition owners trim: {@code acked} (what every group acknowledged) or {@code maxlen}.
     *
     * @return the retention policy of a stream that sets none
     */
    public Retention.Policy defaultRetention() {
        return value(DEFAULT_RETENTION);
    }

    /**
     * The most entries a partition keeps, processed or not; 0 for no limit.
     *
     * @return the most entries, or 0
     */
    public long defaultMaxPartitionSize() {
        return value(DEFAULT_MAX_PARTITION_SIZE);
    }

    /**
     * The oldest entry a partition keeps, processed or not; zero for no limit.
     *
     * @return the greatest age by stream-id time, or zero
     */
    public Duration defaultMaxAge() {
        return value(DEFAULT_MAX_AGE);
    }

    /**
     * How often partition owners trim.
     *
     * @return the time between a partition owner's trims
     */
    public Duration defaultRetentionInterval() {
        return value(DEFAULT_RETENTION_INTERVAL);
    }

    /**
     * How many replicas must confirm a send before it returns (Redis WAIT); 0 for none, the
     * default: a send returns once the master has the entries.
     *
     * @return the number of replicas, 0 to 100
     */
    public int sendReplicas() {
        return value(SEND_REPLICAS);
    }

    /**
     * How long a send waits for those replicas before it fails with {@code NotReplicated} (the
     * entries were appended).
     *
     * @return the longest wait for the replicas
     */
    public Duration sendReplicasTimeout() {
        return value(SEND_REPLICAS_TIMEOUT);
    }

    /**
     * Serializer name for structured records, or null for the one on the classpath.
     *
     * @return the serializer's name, or null
     */
    public String defaultSerializer() {
        return value(DEFAULT_SERIALIZER);
    }

    /**
     * Compressor name, or null for none.
     *
     * @return the compressor's name, or null
     */
    public String defaultCompressor() {
        return value(DEFAULT_COMPRESSOR);
    }

    /**
     * Hasher name, or null for the built-in default.
     *
     * @return the hasher's name, or null
     */
    public String defaultHasher() {
        return value(DEFAULT_HASHER);
    }

    /**
     * What processors do when their function throws.
     *
     * @return the exception policy of a processor that sets none
     */
    public ExceptionPolicy defaultExceptionPolicy() {
        return value(DEFAULT_EXCEPTION_POLICY);
    }

    /**
     * How processors retry a failed delivery in place before the exception policy applies
     * (default_retry_attempts, default_retry_backoff, default_retry_max_backoff,
     * default_retry_multiplier, default_retry_jitter).
     *
     * @return the retry policy of a processor that sets none
     */
    public RetryPolicy defaultRetry() {
        return defaultRetry;
    }

    /**
     * Partition lock and heartbeat time to live; at least twice the grace period.
     *
     * @return the locks' time to live
     */
    public Duration defaultLockExpiry() {
        return value(DEFAULT_LOCK_EXPIRY);
    }

    /**
     * How much sooner than its lock's expiry an executor stops acting for a partition it could not
     * renew (clock-rate drift allowance); under half of lock_expiry.
     *
     * @return the margin
     */
    public Duration defaultLeaseMargin() {
        return value(DEFAULT_LEASE_MARGIN);
    }

    /**
     * How long one XREADGROUP blocks.
     *
     * @return the longest wait of one read
     */
    public Duration defaultReadTimeout() {
        return value(DEFAULT_READ_TIMEOUT);
    }

    /**
     * Events buffered per owned partition.
     *
     * @return the number of events, at least 1
     */
    public int defaultPrefetchCount() {
        return value(DEFAULT_PREFETCH_COUNT);
    }

    /**
     * Deliveries of different keys a per-record processor runs at once per owned partition.
     *
     * @return the number of deliveries, at least 1
     */
    public int defaultMaxInFlight() {
        return value(DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * Tries to acquire assigned partitions before {@code RebalanceFailed}.
     *
     * @return the number of tries, at least 1
     */
    public int defaultAssignmentAttempts() {
        return value(DEFAULT_ASSIGNMENT_ATTEMPTS);
    }

    /**
     * How partitions are spread over executors: {@code sticky} (moves only what must move) or
     * {@code ranges} (Python runnel's contiguous ranges).
     *
     * @return {@code sticky} or {@code ranges}
     */
    public String defaultAssignment() {
        return value(DEFAULT_ASSIGNMENT);
    }

    /**
     * Wait between those tries (and between periodic rebalance checks).
     *
     * @return the wait
     */
    public Duration defaultAssignmentSleep() {
        return value(DEFAULT_ASSIGNMENT_SLEEP);
    }

    /**
     * Time a revoked or stopping partition has to finish its iteration.
     *
     * @return the grace period
     */
    public Duration defaultGracePeriod() {
        return value(DEFAULT_GRACE_PERIOD);
    }

    /**
     * How long one delivery may stay with the processor function before it is interrupted and
     * failed with {@code ProcessingTimeout}.
     *
     * @return the longest time one delivery may take
     */
    public Duration defaultMaxProcessingTime() {
        return value(DEFAULT_MAX_PROCESSING_TIME);
    }

    /**
     * Concurrent reads (connections) per executor.
     *
     * @return the number of concurrent reads, at least 1
     */
    public int defaultPoolSize() {
        return value(DEFAULT_POOL_SIZE);
    }

    /**
     * Wait after joining before acquiring partitions.
     *
     * @return the wait; zero for none
     */
    public Duration defaultJoinDelay() {
        return value(DEFAULT_JOIN_DELAY);
    }

    /**
     * This process's static member id (e.g. the host or pod name), or null for a dynamic member;
     * see {@code README} "Static membership".
     *
     * @return the member id, or null
     */
    public String memberId() {
        return value(MEMBER_ID);
    }

    /**
     * How long a static member that stopped or crashed keeps its partitions reserved; zero for
     * lock_expiry.
     *
     * @return how long the partitions stay reserved; zero for as long as {@link #defaultLockExpiry()}
     */
    public Duration defaultSessionTimeout() {
        return value(DEFAULT_SESSION_TIMEOUT);
    }

    /**
     * Where a running worker reports metrics: any of {@code jmx}, {@code slf4j}, {@code csv}, or
     * the name of a {@link MetricsReporterProvider} on the classpath ({@code prometheus}); empty
     * for none.
     *
     * @return the reporters' names, in no particular order
     */
    public Set<String> metricsReporters() {
        return value(METRICS_REPORTERS);
    }

    /**
     * How often the {@code slf4j} and {@code csv} reporters write.
     *
     * @return the time between two reports
     */
    public Duration metricsInterval() {
        return value(METRICS_INTERVAL);
    }

    /**
     * Directory the {@code csv} reporter writes its files to.
     *
     * @return the directory's path, relative to the working directory unless absolute
     */
    public String metricsCsvDirectory() {
        return value(METRICS_CSV_DIRECTORY);
    }

    /**
     * The port the {@code prometheus} reporter serves {@code /metrics} on.
     *
     * @return the TCP port, 0 to 65535 (0: any free port)
     */
    public int metricsPort() {
        return value(METRICS_PORT);
    }

    /**
     * The address the {@code prometheus} reporter listens on: {@code 127.0.0.1} by default, so
     * that only this machine can scrape until it is set to {@code 0.0.0.0} or an interface's.
     *
     * @return a host name or IP address
     */
    public String metricsHost() {
        return value(METRICS_HOST);
    }

    /**
     * The port {@code runnel console} serves the web console on.
     *
     * @return the TCP port, 0 to 65535 (0: any free port)
     */
    public int consolePort() {
        return value(CONSOLE_PORT);
    }

    /**
     * The address the web console listens on; {@code 127.0.0.1} by default.
     *
     * @return a host name or IP address
     */
    public String consoleHost() {
        return value(CONSOLE_HOST);
    }

    /**
     * Whether the web console offers its actions (replays, purges, drops) to a signed-in user.
     *
     * @return true when {@code console_actions} is {@code on}
     */
    public boolean consoleActions() {
        return "on".equals(value(CONSOLE_ACTIONS));
    }

    /**
     * The token that signs in to the web console's actions, when set; keep it out of logs.
     *
     * @return the token, or empty to have the console generate one
     */
    public Optional<String> consoleToken() {
        return Optional.ofNullable(value(CONSOLE_TOKEN));
    }

    /**
     * Where the Spring Boot starter mounts the web console, when it does.
     *
     * @return a path such as {@code /runnel}, or empty when the console is not mounted
     */
    public Optional<String> consolePath() {
        return Optional.ofNullable(value(CONSOLE_PATH));
    }

    /** The settings by name, the Redis URL without its credentials. */
    @Override
    public String toString() {
        return "Settings[redis_url=" + ConnectionUrl.redact(redisUrl()) + ", transport=" + transport()
                + ", default_partition_count=" + defaultPartitionCount() + ", default_exception_policy="
                + defaultExceptionPolicy() + ", ...]";
    }

    /**
     * The defaults, ignoring the environment.
     *
     * @return the settings every app starts from
     */
    public static Settings defaults() {
        return resolve(Map.of(), Map.of());
    }

    /**
     * Defaults overridden by {@code RUNNEL_*} variables of this process's environment.
     *
     * @return the settings
     * @throws InvalidSetting naming the first variable with a bad value
     * @throws Misconfigured  when settings that must agree do not
     */
    public static Settings fromEnvironment() {
        return resolve(System.getenv(), Map.of());
    }

    /**
     * Resolves settings: defaults, then {@code RUNNEL_<NAME>} entries of {@code environment},
     * then {@code overrides} (keyed by setting name, e.g. {@code default_pool_size}). A
     * {@code RUNNEL_*} variable that is one letter or two from a setting's is logged, not refused:
     * other tools share the prefix.
     *
     * @param environment variable name to value, e.g. the process environment; names without
     *                    {@code RUNNEL_} are ignored
     * @param overrides   setting name to value (text, number, duration or enum constant)
     * @return the settings
     * @throws InvalidSetting naming the first setting that is unknown or has a bad value, and
     *                        for an unknown one the nearest known
     * @throws Misconfigured  when settings that must agree do not
     */
    public static Settings resolve(Map<String, String> environment, Map<String, ?> overrides) {
        Map<Setting<?>, String> text = new LinkedHashMap<>();
        for (Setting<?> s : DECLARED) {
            text.put(s, s.defaultValue());
        }
        environment.forEach((variable, value) -> {
            if (variable.startsWith(ENV_PREFIX) && value != null) {
                Setting<?> s = BY_NAME.get(variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT));
                if (s != null && variable.equals(s.environmentVariable())) {
                    text.put(s, value);
                } else {
                    warnIfMisspelt(variable);
                }
            }
        });
        overrides.forEach((name, value) -> text.put(known(name), value == null ? "" : asText(value)));

        Map<Setting<?>, Object> values = new HashMap<>();
        text.forEach((setting, raw) -> values.put(setting, setting.parse(raw)));
        Settings s = new Settings(values, null);
        if (s.value(DEFAULT_RETRY_MAX_BACKOFF).compareTo(s.value(DEFAULT_RETRY_BACKOFF)) < 0) {
            throw DEFAULT_RETRY_MAX_BACKOFF.rejected(text.get(DEFAULT_RETRY_MAX_BACKOFF),
                    "at least default_retry_backoff (" + s.value(DEFAULT_RETRY_BACKOFF).toMillis() + " ms)");
        }
        if (s.defaultReadTimeout().compareTo(s.defaultGracePeriod()) >= 0) {
            throw new InvalidSetting(DEFAULT_READ_TIMEOUT.name(), "setting default_read_timeout ("
                    + s.defaultReadTimeout().toMillis() + " ms) must be shorter than default_grace_period ("
                    + s.defaultGracePeriod().toMillis()
                    + " ms): a revoked partition waits for its last read to finish within the grace period");
        }
        Timings.check("setting ", "default_", s.defaultLockExpiry(), s.defaultLeaseMargin(), s.defaultGracePeriod());
        RetryPolicy retry = new RetryPolicy(s.value(DEFAULT_RETRY_ATTEMPTS), s.value(DEFAULT_RETRY_BACKOFF),
                s.value(DEFAULT_RETRY_MAX_BACKOFF), s.value(DEFAULT_RETRY_MULTIPLIER), s.value(DEFAULT_RETRY_JITTER));
        return new Settings(values, retry);
    }

    /** The setting {@code name} means. @throws InvalidSetting naming it, and the nearest known one */
    private static Setting<?> known(String name) {
        Setting<?> s = BY_NAME.get(normalise(name));
        if (s == null) {
            throw unknown(name, BY_NAME.keySet(), "setting", false);
        }
        return s;
    }

    /**
     * The stream or processor option {@code name} means ({@code pool_size}, {@code poolSize} or
     * {@code default_pool_size}).
     *
     * @throws InvalidSetting when no setting of that scope has that name, suggesting the nearest
     */
    static Setting<?> option(String name, Setting.Scope scope) {
        String n = normalise(name);
        Map<String, Setting<?>> options = new LinkedHashMap<>();
        for (Setting<?> s : DECLARED) {
            if (s.scope() == scope) {
                options.put(s.optionName(), s);
            }
        }
        Setting<?> s = options.containsKey(n) ? options.get(n) : BY_NAME.get(n);
        if (s == null) { // perhaps another scope's option: partition_count on a processor
            s = DECLARED.stream().filter(d -> d.optionName().equals(n)).findFirst().orElse(null);
        }
        if (s == null || s.scope() != scope) {
            String what = scope.name().toLowerCase(Locale.ROOT) + " option";
            if (s != null) {
                throw new InvalidSetting(s.name(), "setting " + s.name() + " is not a " + what + "; the " + what
                        + "s are " + options.keySet(), true);
            }
            throw unknown(name, options.keySet(), what, true);
        }
        return s;
    }

    private static InvalidSetting unknown(String name, Set<String> known, String what, boolean override) {
        String n = normalise(name);
        return new InvalidSetting(name, Setting.closest(n, known)
                .map(nearest -> "unknown " + what + " '" + name + "'; did you mean '" + nearest + "'?")
                .orElse("unknown " + what + " '" + name + "'; known: " + String.join(", ", known)), override);
    }

    private static void warnIfMisspelt(String variable) {
        String name = variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT);
        Setting.closest(name, BY_NAME.keySet()).ifPresent(nearest -> log.warn(
                "environment variable {} is not a Runnel setting and is ignored; did you mean {}?", variable,
                BY_NAME.get(nearest).environmentVariable()));
    }

    /**
     * Accepts {@code default_pool_size}, {@code DEFAULT_POOL_SIZE}, {@code
     * RUNNEL_DEFAULT_POOL_SIZE}, {@code defaultPoolSize} or {@code default-pool-size}.
     */
    static String normalise(String name) {
        String n = name.trim();
        if (n.toUpperCase(Locale.ROOT).startsWith(ENV_PREFIX)) {
            n = n.substring(ENV_PREFIX.length());
        }
        n = n.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('-', '_');
        return n.toLowerCase(Locale.ROOT);
    }

    /** A value given in Java as the text a setting reads: durations in ISO-8601, so that no precision is lost. */
    static String asText(Object value) {
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        return value.toString().trim();
    }
}
