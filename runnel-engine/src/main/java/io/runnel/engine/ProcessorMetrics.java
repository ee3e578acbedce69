// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.CachedGauge;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.runnel.api.Delivery;
import io.runnel.api.transport.GroupInfo;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportException;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The Dropwizard metrics of one processor, registered once per app (every worker of the
 * app in this JVM adds to the same ones). Names are
 * {@code runnel.<app>.<processor>.<metric>} for the processor as a whole and
 * {@code runnel.<app>.<processor>.partition.<n>.<metric>} per partition; docs/reference/metrics.md lists
 * them. A partition's consumer gathers what it records about deliveries and adds it to its
 * partition's metrics in groups ({@link DeliveryMetrics}), into that partition's metrics only:
 * the processor-wide ones are computed from those when read ({@link ProcessorTotals}).
 */
final class ProcessorMetrics {
    /**
     * Histograms and timers keep the last this many values. A sliding window costs one
     * short uncontended lock per group of values ({@link DeliveryMetrics}); the exponentially
     * decaying reservoirs cost a skip-list insertion per value, which was most of the
     * metrics' share of a worker's CPU.
     */
    static final int WINDOW = 1024;

    /** How long a Redis-backed gauge (pending, lag) reuses its last reading. */
    static final long GAUGE_REFRESH_SECONDS = 5;

    /** Metrics of one scope: the processor as a whole, or one of its partitions. */
    record Scope(Meter processed, Meter acked, Meter failed, Meter retries, Meter deadLettered, Meter parked,
                 Timer processingTime, Timer keyWait,
                 Histogram latency, Histogram batchSize) {

        static Scope register(MetricRegistry registry, String prefix) {
            return new Scope(
                    registry.meter(prefix + name(RunnelMetric.PROCESSED)),
                    registry.meter(prefix + name(RunnelMetric.ACKED)),
                    registry.meter(prefix + name(RunnelMetric.FAILED)),
                    registry.meter(prefix + name(RunnelMetric.RETRIES)),
                    registry.meter(prefix + name(RunnelMetric.DEAD_LETTERED)),
                    registry.meter(prefix + name(RunnelMetric.PARKED)),
                    registry.timer(prefix + name(RunnelMetric.PROCESSING_TIME), () -> new WindowTimer(WINDOW)),
                    registry.timer(prefix + name(RunnelMetric.KEY_WAIT), () -> new WindowTimer(WINDOW)),
                    registry.histogram(prefix + name(RunnelMetric.LATENCY), () -> new WindowHistogram(WINDOW)),
                    registry.histogram(prefix + name(RunnelMetric.BATCH_SIZE), () -> new WindowHistogram(WINDOW)));
        }
    }

    /** Pending count and lag of every partition, read together and cached. */
    record GroupReading(long[] pending, long[] lag, double[] oldestPendingAgeSeconds) {
    }

    private final String prefix;
    private final Clock clock;
    /** Partitions' metrics: each written by its partition's consumer (and the acker); the totals are read from them. */
    private final Scope[] partitions;
    private final Map<String, Integer> partitionOfKey = new HashMap<>();
    private final Meter fetchCalls;
    private final Meter fetched;
    private final Timer rebalances;
    private final Meter partitionsLost;
    private final Meter commits;
    private final Meter outboxForwarded;
    private final Meter lateEvents;
    private final Meter trimmedUnprocessed;
    private final Meter retentionTrimmed;
    /** The app's, shared by its processors and sends (see {@link MemoryRefusals}). */
    private final Meter redisOom;
    /** Keys parked on the partitions this worker owns, as their consumers last saw them. */
    private final AtomicLong parkedKeys = new AtomicLong();
    /** Owned-partition counts of every live executor of this processor in the app. */
    private final List<Supplier<Set<Integer>>> owners = new CopyOnWriteArrayList<>();
    /** Stuck-partition counts of the same executors. */
    private final List<Supplier<Set<Integer>>> stuckOwners = new CopyOnWriteArrayList<>();
    /** Per partition, the deliveries in flight of each of its consumers running in this JVM. */
    private final List<List<IntSupplier>> inFlight = new ArrayList<>();

    /** @param partitionKeys the stream key of each partition, in partition order */
    ProcessorMetrics(MetricRegistry registry, Clock clock, String app, List<String> partitionKeys, String processor,
                     Supplier<Transport> transport) {
        this.prefix = MetricRegistry.name("runnel", app, processor);
        this.clock = clock;
        this.partitions = new Scope[partitionKeys.size()];
        List<String> keys = partitionKeys;
        for (int p = 0; p < partitions.length; p++) {
            partitions[p] = Scope.register(registry, partitionPrefix(p));
            partitionOfKey.put(keys.get(p), p);
            inFlight.add(new CopyOnWriteArrayList<>());
        }
        registerTotals(registry, List.of(partitions));
        this.fetchCalls = registry.meter(prefix + name(RunnelMetric.FETCH_CALLS));
        this.fetched = registry.meter(prefix + name(RunnelMetric.FETCHED));
        this.rebalances = registry.timer(prefix + name(RunnelMetric.REBALANCES), () -> new WindowTimer(WINDOW));
        this.partitionsLost = registry.meter(prefix + name(RunnelMetric.PARTITIONS_LOST));
        this.commits = registry.meter(prefix + name(RunnelMetric.COMMITS));
        this.outboxForwarded = registry.meter(prefix + name(RunnelMetric.OUTBOX_FORWARDED));
        this.lateEvents = registry.meter(prefix + name(RunnelMetric.LATE_EVENTS));
        this.trimmedUnprocessed = registry.meter(prefix + name(RunnelMetric.TRIMMED_UNPROCESSED));
        this.retentionTrimmed = registry.meter(prefix + name(RunnelMetric.RETENTION_TRIMMED));
        this.redisOom = MemoryRefusals.meter(registry, app);
        gauge(registry, prefix + name(RunnelMetric.OWNED_PARTITIONS),
                () -> owners.stream().mapToInt(o -> o.get().size()).sum());
        gauge(registry, prefix + name(RunnelMetric.PARKED_KEYS), parkedKeys::get);
        gauge(registry, prefix + name(RunnelMetric.STUCK_PARTITIONS),
                () -> stuckOwners.stream().mapToInt(o -> o.get().size()).sum());

        // One reading of every partition's pending count and lag serves all of these
        // gauges for a few seconds, so a reporter polling them costs a few round trips.
        CachedGauge<GroupReading> reading = new CachedGauge<>(GAUGE_REFRESH_SECONDS, TimeUnit.SECONDS) {
            @Override
            protected GroupReading loadValue() {
                return read(transport.get(), keys, processor, clock.millis());
            }
        };
        gauge(registry, prefix + name(RunnelMetric.IN_FLIGHT), () -> inFlight.stream().mapToInt(ProcessorMetrics::sum).sum());
        for (int p = 0; p < partitions.length; p++) {
            List<IntSupplier> consumers = inFlight.get(p);
            gauge(registry, partitionPrefix(p) + name(RunnelMetric.IN_FLIGHT), () -> sum(consumers));
        }
        gauge(registry, prefix + name(RunnelMetric.PENDING), () -> sum(reading.getValue().pending()));
        gauge(registry, prefix + name(RunnelMetric.LAG), () -> sum(reading.getValue().lag()));
        gauge(registry, prefix + name(RunnelMetric.OLDEST_PENDING_AGE), () -> oldest(reading.getValue().oldestPendingAgeSeconds()));
        for (int p = 0; p < partitions.length; p++) {
            int partition = p;
            gauge(registry, partitionPrefix(p) + name(RunnelMetric.PENDING),
                    () -> reading.getValue().pending()[partition]);
            gauge(registry, partitionPrefix(p) + name(RunnelMetric.LAG), () -> reading.getValue().lag()[partition]);
            gauge(registry, partitionPrefix(p) + name(RunnelMetric.OLDEST_PENDING_AGE),
                    () -> reading.getValue().oldestPendingAgeSeconds()[partition]);
        }
    }

    String prefix() {
        return prefix;
    }

    // ------------------------------------------------------------ recording

    /**
     * A recorder of partition {@code partition}'s deliveries, for the one consumer thread that
     * processes it now.
     */
    DeliveryMetrics deliveries(int partition) {
        return new DeliveryMetrics(partitions[partition], clock);
    }

    /**
     * Counts {@code consumer}'s deliveries in flight in partition {@code partition}'s
     * {@code in-flight} gauge until the returned action is run (when the consumer exits).
     */
    Runnable countInFlight(int partition, IntSupplier consumer) {
        List<IntSupplier> consumers = inFlight.get(partition);
        consumers.add(consumer);
        return () -> consumers.remove(consumer);
    }

    /** A failed delivery's events are to be tried again in place (marked per event). */
    void retried(Delivery d) {
        partitions[d.partition()].retries().mark(d.events().size());
    }

    void failed(Delivery d) {
        partitions[d.partition()].failed().mark(d.events().size());
    }

    /** Events of parked keys moved to the parked stream. */
    void parked(int partition, int n) {
        partitions[partition].parked().mark(n);
    }

    /** Keys parked on owned partitions went up (or down) by {@code delta}. */
    void parkedKeys(long delta) {
        parkedKeys.addAndGet(delta);
    }

    void deadLettered(int partition, int n) {
        partitions[partition].deadLettered().mark(n);
    }

    /** Acks reached the server. */
    void acked(Map<String, List<String>> idsByKey) {
        idsByKey.forEach((key, ids) -> {
            Integer p = partitionOfKey.get(key);
            if (p != null) {
                partitions[p].acked().mark(ids.size());
            }
        });
    }

    void fetched(int events) {
        fetchCalls.mark();
        fetched.mark(events);
    }

    /** A commit of a processor with a context was done. */
    void committed() {
        commits.mark();
    }

    /** A windowed aggregation processed an event too late for a window. */
    void late() {
        lateEvents.mark();
    }

    /** Outbox entries appended to their targets. */
    void forwarded(long n) {
        outboxForwarded.mark(n);
    }

    /** An executor lost partitions it had not released: lease ran out, or the lock was taken over. */
    void partitionsLost(int n) {
        partitionsLost.mark(n);
    }

    /** Entries removed from the stream before this processor read them (or, if pending, acked them). */
    void trimmedUnprocessed(long n) {
        trimmedUnprocessed.mark(n);
    }

    /** Entries this processor's executors trimmed from their partitions under the stream's retention. */
    void retentionTrimmed(long n) {
        retentionTrimmed.mark(n);
    }

    /** The app's {@code redis-oom} meter, which this processor's executors mark for each call Redis refused at maxmemory. */
    Meter redisOom() {
        return redisOom;
    }

    Timer.Context rebalance() {
        return rebalances.time();
    }

    /** Counts an executor's owned and stuck partitions in the gauges while it runs. */
    void addOwner(Supplier<Set<Integer>> owned, Supplier<Set<Integer>> stuck) {
        owners.add(owned);
        stuckOwners.add(stuck);
    }

    void removeOwner(Supplier<Set<Integer>> owned, Supplier<Set<Integer>> stuck) {
        owners.remove(owned);
        stuckOwners.remove(stuck);
    }

    // ------------------------------------------------------------- internals

    private String partitionPrefix(int p) {
        return prefix + ".partition." + p;
    }

    /**
     * The processor-wide metrics, derived from the partitions' (see {@link ProcessorTotals}).
     * Get-or-create by name, like the partitions' own: an earlier app instance's are kept, and
     * they read the same partition metrics, which are shared by name too.
     */
    private void registerTotals(MetricRegistry registry, List<Scope> parts) {
        derived(registry, RunnelMetric.PROCESSED, parts, Scope::processed);
        derived(registry, RunnelMetric.ACKED, parts, Scope::acked);
        derived(registry, RunnelMetric.FAILED, parts, Scope::failed);
        derived(registry, RunnelMetric.RETRIES, parts, Scope::retries);
        derived(registry, RunnelMetric.DEAD_LETTERED, parts, Scope::deadLettered);
        derived(registry, RunnelMetric.PARKED, parts, Scope::parked);
        List<Timer> times = parts.stream().map(Scope::processingTime).toList();
        registry.timer(prefix + name(RunnelMetric.PROCESSING_TIME), () -> new ProcessorTotals.MergedTimer(times));
        List<Timer> keyWaits = parts.stream().map(Scope::keyWait).toList();
        registry.timer(prefix + name(RunnelMetric.KEY_WAIT), () -> new ProcessorTotals.MergedTimer(keyWaits));
        List<Histogram> latencies = parts.stream().map(Scope::latency).toList();
        registry.histogram(prefix + name(RunnelMetric.LATENCY), () -> new ProcessorTotals.MergedHistogram(latencies));
        List<Histogram> batchSizes = parts.stream().map(Scope::batchSize).toList();
        registry.histogram(prefix + name(RunnelMetric.BATCH_SIZE),
                () -> new ProcessorTotals.MergedHistogram(batchSizes));
    }

    private void derived(MetricRegistry registry, RunnelMetric metric, List<Scope> parts,
                         Function<Scope, Meter> meter) {
        List<Meter> meters = parts.stream().map(meter).toList();
        registry.meter(prefix + name(metric), () -> new ProcessorTotals.SumMeter(meters));
    }

    /** The last part of a metric's Dropwizard name, after its dot. */
    private static String name(RunnelMetric metric) {
        return "." + metric.dropwizardName();
    }

    private static void gauge(MetricRegistry registry, String name, Gauge<?> gauge) {
        // getGauge returns the registered one if an earlier app instance made it: keep that.
        registry.gauge(name, () -> gauge);
    }

    private static int sum(List<IntSupplier> consumers) {
        int n = 0;
        for (IntSupplier c : consumers) {
            n += c.getAsInt();
        }
        return n;
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) {
            s = v < 0 || s < 0 ? -1 : s + v;
        }
        return s;
    }

    /** -1 marks a value that could not be read (Redis unreachable, no group yet, lag unknown to the server). */
    private static GroupReading read(Transport transport, List<String> keys, String group, long nowMillis) {
        long[] pending = new long[keys.size()];
        long[] lag = new long[keys.size()];
        double[] oldestAge = new double[keys.size()];
        for (int p = 0; p < keys.size(); p++) {
            pending[p] = -1;
            lag[p] = -1;
            oldestAge[p] = -1;
            try {
                Optional<GroupInfo> info = transport.groupInfo(keys.get(p), group);
                if (info.isPresent()) {
                    pending[p] = info.get().pending();
                    lag[p] = info.get().lag().orElse(-1);
                    oldestAge[p] = info.get().oldestPendingId()
                            .map(id -> Math.max(0, nowMillis - Ids.millis(id)) / 1000.0).orElse(0.0);
                }
            } catch (TransportException | UnsupportedOperationException e) {
                // stays -1: unknown
            }
        }
        return new GroupReading(pending, lag, oldestAge);
    }

    /** The oldest of the partitions' ages; -1 when none could be read. */
    private static double oldest(double[] ages) {
        double oldest = -1;
        for (double age : ages) {
            oldest = Math.max(oldest, age);
        }
        return oldest;
    }
}
