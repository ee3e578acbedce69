// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.runnel.engine.RunnelMetric.Kind.COUNTER;
import static io.runnel.engine.RunnelMetric.Kind.GAUGE;
import static io.runnel.engine.RunnelMetric.Kind.SUMMARY;
import static io.runnel.engine.RunnelMetric.Kind.TIMER;
import static io.runnel.engine.RunnelMetric.Scope.APP;
import static io.runnel.engine.RunnelMetric.Scope.PARTITION;
import static io.runnel.engine.RunnelMetric.Scope.PROCESSOR;

/**
 * Every metric Runnel records, with how it is exported: the one place that names them, says
 * what they mean and in which unit they are shown. The engine registers them in Dropwizard as
 * {@code runnel.<app>.<processor>[.partition.<n>].<metric>} (and the app's own as
 * {@code runnel.<app>.<metric>}); the Spring Boot starter's Micrometer bridge and
 * {@code runnel-prometheus} both export them from here, so a scrape of either has the same
 * names, labels, units and help text. The metrics reference's table (docs/reference/metrics.md) is rendered from it.
 *
 * <p>Exported names: a counter {@code runnel.processed} in Micrometer is
 * {@code runnel_processed_total} in Prometheus; a timer {@code runnel.processing.time} is
 * {@code runnel_processing_time_seconds} ({@code _count}, {@code _sum}, {@code _max}, and
 * {@code _bucket} when its percentile histogram is on); the per-partition series of a metric
 * are named {@code runnel.partition.<name>} and labelled {@code partition} too. Timers and
 * summaries are exported per processor only: per partition they would multiply the series (by
 * the partitions, and by the buckets of a histogram) for little a dashboard uses.
 */
public enum RunnelMetric {
    /** Events whose delivery completed. */
    PROCESSED("processed", COUNTER, null, PARTITION,
            "Events whose delivery completed (the processor function asked for the next one)"),
    /** Events acknowledged on the server. */
    ACKED("acked", COUNTER, null, PARTITION, "Events acknowledged on the server"),
    /** Events of deliveries that failed after their last try. */
    FAILED("failed", COUNTER, null, PARTITION,
            "Events in deliveries the processor function threw on, after the last try (what the exception policy "
                    + "handles)"),
    /** Events of failed deliveries tried again. */
    RETRIES("retries", COUNTER, null, PARTITION, "Events of failed deliveries tried again in place (retry policy)"),
    /** Events sent to the dead-letter stream ({@code dead.<stream>}). */
    DEAD_LETTERED("dead-lettered", COUNTER, null, PARTITION, "Events forwarded to the stream's dead-letter stream"),
    /** Events moved to the parked stream ({@code parked.<stream>}). */
    PARKED("parked", COUNTER, null, PARTITION,
            "Events moved to the stream's parked stream under the PARK policy (failed ones and those of their keys "
                    + "that followed)"),
    /** How long the function held each delivery. */
    PROCESSING_TIME("processing-time", TIMER, TimeUnit.NANOSECONDS, PROCESSOR,
            "Time from handing a delivery to the processor function until it asked for the next"),
    /** From an event's send to its hand-out. */
    LATENCY("latency-ms", "latency", TIMER, TimeUnit.MILLISECONDS, PROCESSOR,
            "End-to-end latency: time of an event's hand-out to the processor function minus the time in its "
                    + "stream id"),
    /** Events per delivery. */
    BATCH_SIZE("batch-size", SUMMARY, null, PROCESSOR,
            "Events per delivery (1 with records() or events(), up to n with take(n, ...))"),
    /** Delivered, not yet acknowledged. */
    PENDING("pending", GAUGE, null, PARTITION,
            "Entries delivered to the group and not yet acknowledged (read from Redis, cached 5 s; -1 if unreadable)"),
    /** Not yet delivered. */
    LAG("lag", GAUGE, null, PARTITION,
            "Entries not yet delivered to the group (read from Redis, cached 5 s; -1 if unreadable)"),
    /** Age of the oldest pending entry. */
    OLDEST_PENDING_AGE("oldest-pending-age", GAUGE, null, PARTITION,
            "Seconds since the oldest entry delivered to the group and not yet acknowledged was sent (from its stream "
                    + "id; read from Redis, cached 5 s; 0 when none is pending, -1 if unreadable); per processor, the "
                    + "oldest over its partitions: with lag, a signal to scale workers on"),
    /** Partitions owned in this process. */
    OWNED_PARTITIONS("owned-partitions", GAUGE, null, PROCESSOR, "Partitions this process's workers own"),
    /** Keys parked on owned partitions. */
    PARKED_KEYS("parked-keys", GAUGE, null, PROCESSOR,
            "Keys parked on the partitions this process's workers own"),
    /** Deliveries in flight now. */
    IN_FLIGHT("in-flight", GAUGE, null, PARTITION,
            "Deliveries the processor function holds now on the partitions this process's workers own (up to "
                    + "max_in_flight per partition for a per-record processor, else 0 or 1)"),
    /** How long events waited behind an earlier event of their key. */
    KEY_WAIT("key-wait", TIMER, TimeUnit.NANOSECONDS, PROCESSOR,
            "Time an event of a per-record processor with max_in_flight above 1 waited, read, behind an earlier "
                    + "event of its key before its own delivery began"),
    /** Commits of a processor with a context. */
    COMMITS("commits", COUNTER, null, PROCESSOR,
            "Commits of a processor with a context: a partition's completed deliveries' acks with their state changes "
                    + "and, under exactly_once, their sends, in one fenced script"),
    /** Outbox entries forwarded. */
    OUTBOX_FORWARDED("outbox-forwarded", COUNTER, null, PROCESSOR,
            "Sends of an exactly_once processor to another hash slot of a Redis Cluster, appended to their targets "
                    + "from the partitions' outboxes"),
    /** Events a windowed aggregation found too late for a window. */
    LATE_EVENTS("late-events", COUNTER, null, PROCESSOR,
            "Events of a windowed aggregation whose time fell in a window already closed (its end plus grace had "
                    + "passed): left out of that window's result"),
    /** Ownership changes. */
    REBALANCES("rebalances", TIMER, TimeUnit.NANOSECONDS, PROCESSOR,
            "Ownership changes and how long each took (release and acquire)"),
    /** Deliveries held too long. */
    STUCK_PARTITIONS("stuck-partitions", GAUGE, null, PROCESSOR,
            "Partitions whose current delivery has outlived max_processing_time in this process's workers"),
    /** Partitions lost without a release. */
    PARTITIONS_LOST("partitions-lost", COUNTER, null, PROCESSOR,
            "Partitions given up without a release: the lease ran out before renewal, or the server no longer held "
                    + "the lock"),
    /** Reads from Redis. */
    FETCH_CALLS("fetch-calls", COUNTER, null, PROCESSOR, "XREADGROUP calls"),
    /** Entries read from Redis. */
    FETCHED("fetched", COUNTER, null, PROCESSOR, "Entries the XREADGROUP calls returned"),
    /** Events trimmed before this processor took them. */
    TRIMMED_UNPROCESSED("trimmed-unprocessed", COUNTER, null, PROCESSOR,
            "Events removed from the stream before this processor read or acknowledged them, found while this "
                    + "process's workers run"),
    /** Entries trimmed under the stream's retention. */
    RETENTION_TRIMMED("retention-trimmed", COUNTER, null, PROCESSOR,
            "Entries this process's executors trimmed under the stream's retention"),
    /** Calls refused at maxmemory. */
    REDIS_OOM("redis-oom", COUNTER, null, APP,
            "Calls of the app that Redis refused because its memory was full (maxmemory); each retry counts");

    /** What a metric is exported as. */
    public enum Kind {
        /** A count that only grows (a Dropwizard meter): Prometheus {@code <name>_total}. */
        COUNTER,
        /** A value read when scraped (a Dropwizard gauge). */
        GAUGE,
        /** Durations, in seconds: {@code _count}, {@code _sum}, {@code _max} (a Micrometer {@code Timer}). */
        TIMER,
        /** Amounts: {@code _count}, {@code _sum}, {@code _max} (a Micrometer {@code DistributionSummary}). */
        SUMMARY
    }

    /** Which series a metric has. */
    public enum Scope {
        /** One per app ({@code runnel.<app>.<metric>}), labelled {@code app}. */
        APP,
        /** One per processor, labelled {@code app} and {@code processor}. */
        PROCESSOR,
        /** One per processor and one per partition ({@code partition} label too). */
        PARTITION
    }

    private static final Pattern PARTITION_PREFIX = Pattern.compile("(.+)\\.partition\\.(\\d+)");

    private final String dropwizardName;
    private final String exportedName;
    private final Kind kind;
    private final TimeUnit recordedIn;
    private final Scope scope;
    private final String help;

    RunnelMetric(String dropwizardName, Kind kind, TimeUnit recordedIn, Scope scope, String help) {
        this(dropwizardName, dropwizardName, kind, recordedIn, scope, help);
    }

    RunnelMetric(String dropwizardName, String exportedName, Kind kind, TimeUnit recordedIn, Scope scope, String help) {
        this.dropwizardName = dropwizardName;
        this.exportedName = exportedName.replace('-', '.');
        this.kind = kind;
        this.recordedIn = recordedIn;
        this.scope = scope;
        this.help = help;
    }

    /**
     * The last part of its Dropwizard name ({@code processing-time} in
     * {@code runnel.shop.billing.processing-time}).
     *
     * @return the name's last part
     */
    public String dropwizardName() {
        return dropwizardName;
    }

    /**
     * What it is exported as.
     *
     * @return counter, gauge, timer or summary
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The series it has: per app, per processor, or per processor and per partition.
     *
     * @return the finest scope it is recorded at
     */
    public Scope scope() {
        return scope;
    }

    /**
     * What it counts or measures, as the Prometheus HELP line and the Micrometer description say it.
     *
     * @return the help text, one sentence without a final stop
     */
    public String help() {
        return help;
    }

    /**
     * The scopes it is exported at: the app's; the processor's; or the processor's and each partition's.
     *
     * @return the scopes, a new set
     */
    public Set<Scope> exportedAt() {
        return switch (scope) {
            case APP -> EnumSet.of(APP);
            case PROCESSOR -> EnumSet.of(PROCESSOR);
            case PARTITION -> EnumSet.of(PROCESSOR, PARTITION);
        };
    }

    /**
     * Its Micrometer name at {@code at}: {@code runnel.processing.time}, {@code runnel.partition.processed}.
     *
     * @param at a scope it is exported at
     * @return the dotted Micrometer name
     */
    public String meterName(Scope at) {
        return (at == PARTITION ? "runnel.partition." : "runnel.") + exportedName;
    }

    /**
     * Its Prometheus name at {@code at}, as the text format's {@code # TYPE} line shows it:
     * {@code runnel_processed_total}, {@code runnel_processing_time_seconds}, {@code runnel_lag}.
     *
     * @param at a scope it is exported at
     * @return the Prometheus metric family's name
     */
    public String prometheusName(Scope at) {
        String base = meterName(at).replace('.', '_');
        return switch (kind) {
            case COUNTER -> base + "_total";
            case TIMER -> base + "_seconds";
            case GAUGE, SUMMARY -> base;
        };
    }

    /**
     * A recorded value in the unit it is exported in: seconds for timers, unchanged otherwise.
     *
     * @param recorded a value as Dropwizard recorded it
     * @return the value in the exported unit
     */
    public double exported(double recorded) {
        return recordedIn == null ? recorded : recorded / recordedIn.convert(1, TimeUnit.SECONDS);
    }

    /**
     * The unit its Dropwizard values are recorded in, for a timer; null for the others.
     *
     * @return the recording unit of a timer, or null
     */
    public TimeUnit recordedIn() {
        return recordedIn;
    }

    /**
     * The exported series a Dropwizard metric of app {@code app} is, if it is one: for
     * {@code runnel.shop.billing.partition.3.processed}, {@link #PROCESSED} of processor
     * {@code billing}, partition 3. Empty for another app's metric, a name not Runnel's, and
     * a metric not exported at that scope (a partition's timers).
     *
     * @param app            the app's name
     * @param dropwizardName a metric's name in the app's Dropwizard registry
     * @return the series it is exported as, if any
     */
    public static Optional<Series> series(String app, String dropwizardName) {
        String prefix = "runnel." + app + ".";
        if (!dropwizardName.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = dropwizardName.substring(prefix.length());
        int dot = rest.lastIndexOf('.');
        RunnelMetric metric = byDropwizardName(rest.substring(dot + 1));
        if (metric == null) {
            return Optional.empty();
        }
        Series series;
        if (dot < 0) {
            series = new Series(metric, APP, app, null, null);
        } else {
            String owner = rest.substring(0, dot);
            Matcher partition = PARTITION_PREFIX.matcher(owner);
            series = partition.matches()
                    ? new Series(metric, PARTITION, app, partition.group(1), Integer.valueOf(partition.group(2)))
                    : new Series(metric, PROCESSOR, app, owner, null);
        }
        return metric.exportedAt().contains(series.scope()) ? Optional.of(series) : Optional.empty();
    }

    private static RunnelMetric byDropwizardName(String name) {
        for (RunnelMetric m : values()) {
            if (m.dropwizardName.equals(name)) {
                return m;
            }
        }
        return null;
    }

    /**
     * One exported series of a metric: its scope and the app, processor and partition it is of
     * (the last two null where the scope has none).
     *
     * @param metric    the metric
     * @param scope     the series' scope: the app, a processor or a partition
     * @param app       the app's name
     * @param processor the processor's name; null for an app's series
     * @param partition the partition number; null unless the scope is a partition
     */
    public record Series(RunnelMetric metric, Scope scope, String app, String processor, Integer partition) {
        /**
         * Its Micrometer name.
         *
         * @return the dotted Micrometer name at the series' scope
         */
        public String meterName() {
            return metric.meterName(scope);
        }

        /**
         * Its Prometheus name (see {@link RunnelMetric#prometheusName}).
         *
         * @return the Prometheus metric family's name at the series' scope
         */
        public String prometheusName() {
            return metric.prometheusName(scope);
        }

        /**
         * Its labels (Micrometer tags) in order: {@code app}, then {@code processor} and
         * {@code partition} where it has them.
         *
         * @return label name to value, in that order
         */
        public Map<String, String> labels() {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("app", app);
            if (processor != null) {
                labels.put("processor", processor);
            }
            if (partition != null) {
                labels.put("partition", partition.toString());
            }
            return labels;
        }
    }
}
