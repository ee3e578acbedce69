// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Middleware;
import io.runnel.api.Misconfigured;
import io.runnel.api.ProcessingGuarantee;
import io.runnel.api.SerializationException;
import io.runnel.api.transport.ParkingKeys;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;

/**
 * A registered processor with every option resolved against the app's settings.
 * Validated once, at registration.
 */
record Processor<T>(
        Stream<T> stream,
        String name,
        ProcessorFunction<T> function,
        ExceptionPolicy exceptionPolicy,
        RetryPolicy retry,
        Predicate<Throwable> retryable,
        List<Middleware> middleware,
        DeadLetterForwarder<?> deadLetters,
        List<RebalanceListener> rebalanceListeners,
        ProcessorMetrics metrics,
        Duration lockExpiry,
        Duration leaseMargin,
        Duration readTimeout,
        int prefetchCount,
        int maxInFlight,
        ProcessingGuarantee guarantee,
        Duration commitInterval,
        int commitReplicas,
        int assignmentAttempts,
        Duration assignmentSleep,
        Duration gracePeriod,
        Duration maxProcessingTime,
        int poolSize,
        Duration joinDelay,
        String memberId,
        Duration sessionTimeout,
        Ticker ticker) {

    /**
     * The group's shared consumer, the only one Python runnel reads as. Java executors read
     * as their lease token (so a late read of a former owner is told apart and claimed), and
     * hand what they did not process back to this consumer when they release a partition.
     */
    static final String CONSUMER = "1";

    Processor {
        middleware = List.copyOf(middleware);
        rebalanceListeners = List.copyOf(rebalanceListeners);
        Timings.check("processor " + name + ": ", "", lockExpiry, leaseMargin, gracePeriod);
        if (readTimeout.compareTo(gracePeriod) >= 0) {
            throw new Misconfigured("processor " + name + ": read_timeout (" + readTimeout.toMillis()
                    + " ms) must be shorter than grace_period (" + gracePeriod.toMillis()
                    + " ms), because a revoked partition waits for its last read within the grace period");
        }
    }

    static <T> Processor<T> resolve(Stream<T> stream, String name, ProcessorFunction<T> function,
                                    ProcessorOptions options, Settings s, ProcessorMetrics metrics,
                                    Ticker ticker) {
        List<Middleware> middleware = new ArrayList<>();
        for (Instrumentation i : stream.host().instrumentation()) {
            Middleware m = i.middleware(stream.host().destination(stream.name(), OptionalInt.empty()), name);
            if (m != null) {
                middleware.add(m); // first: its view of a delivery encloses every other middleware's
            }
        }
        middleware.addAll(options.middleware);
        Overrides o = options.settings;
        Duration lockExpiry = o.get(Settings.DEFAULT_LOCK_EXPIRY, s);
        RetryPolicy retry = new RetryPolicy(o.get(Settings.DEFAULT_RETRY_ATTEMPTS, s),
                o.get(Settings.DEFAULT_RETRY_BACKOFF, s), o.get(Settings.DEFAULT_RETRY_MAX_BACKOFF, s),
                o.get(Settings.DEFAULT_RETRY_MULTIPLIER, s), o.get(Settings.DEFAULT_RETRY_JITTER, s));
        return new Processor<>(stream, name, function,
                o.get(Settings.DEFAULT_EXCEPTION_POLICY, s),
                retry,
                options.retryable != null ? options.retryable : error -> !(error instanceof SerializationException),
                middleware,
                options.deadLetters ? new DeadLetterForwarder<>(stream.deadLetters(), name, metrics) : null,
                options.rebalanceListeners,
                metrics,
                lockExpiry,
                o.get(Settings.DEFAULT_LEASE_MARGIN, s),
                o.get(Settings.DEFAULT_READ_TIMEOUT, s),
                o.get(Settings.DEFAULT_PREFETCH_COUNT, s),
                maxInFlight(stream, name, function, o, s),
                guarantee(name, function, o, s),
                o.get(Settings.DEFAULT_COMMIT_INTERVAL, s),
                o.get(Settings.DEFAULT_COMMIT_REPLICAS, s),
                o.get(Settings.DEFAULT_ASSIGNMENT_ATTEMPTS, s),
                o.get(Settings.DEFAULT_ASSIGNMENT_SLEEP, s),
                o.get(Settings.DEFAULT_GRACE_PERIOD, s),
                o.get(Settings.DEFAULT_MAX_PROCESSING_TIME, s),
                o.get(Settings.DEFAULT_POOL_SIZE, s),
                o.get(Settings.DEFAULT_JOIN_DELAY, s),
                s.memberId(),
                s.defaultSessionTimeout().isZero() ? lockExpiry : s.defaultSessionTimeout(),
                ticker);
    }

    /**
     * The processor's max_in_flight: above 1 only for a per-record function over a keyed
     * stream. Asked for explicitly where it cannot apply, it fails the definition; the
     * app-wide default applies only where it can, so that one environment variable can speed
     * up every per-record processor without breaking the loop-form ones.
     */
    private static int maxInFlight(Stream<?> stream, String name, ProcessorFunction<?> function, Overrides o,
                                   Settings s) {
        Optional<Integer> explicit = o.explicit(Settings.DEFAULT_MAX_IN_FLIGHT);
        int n = explicit.orElseGet(() -> s.value(Settings.DEFAULT_MAX_IN_FLIGHT));
        if (n == 1) {
            return 1;
        }
        String why;
        if (!(function instanceof PerRecord<?>)) {
            why = "its function loops over the events itself, so only it could run them apart; register "
                    + "ProcessorFunction.eachRecord(record -> ...) for the engine to run the records of different keys at once";
        } else if (((PerRecord<?>) function).windowed()) {
            why = "a windowed aggregation handles a partition's events one at a time, so that its windows close in "
                    + "the order of their events; use more partitions";
        } else if (!stream.keyed()) {
            why = "stream " + stream.name() + " has no partition key function, so its events have no keys to run "
                    + "apart by; give the stream a key function, or use more partitions";
        } else {
            return n;
        }
        if (explicit.isPresent()) {
            throw new Misconfigured("processor " + name + ": max_in_flight " + n + " cannot apply: " + why);
        }
        return 1;
    }

    /**
     * The processor's processing guarantee. {@code exactly_once} needs a function with a
     * context (what it sends and writes is what commits); asked for explicitly on another, it
     * fails the definition, and the app-wide default applies only where it can.
     */
    private static ProcessingGuarantee guarantee(String name, ProcessorFunction<?> function, Overrides o, Settings s) {
        Optional<ProcessingGuarantee> explicit = o.explicit(Settings.DEFAULT_PROCESSING_GUARANTEE);
        ProcessingGuarantee g = explicit.orElseGet(() -> s.value(Settings.DEFAULT_PROCESSING_GUARANTEE));
        if (g == ProcessingGuarantee.AT_LEAST_ONCE || (function instanceof PerRecord<?> p && p.usesContext())) {
            return g;
        }
        if (explicit.isPresent()) {
            throw new Misconfigured("processor " + name + ": processing_guarantee exactly_once cannot apply: its function "
                    + "does not send or keep state through a context, so there is nothing to commit with its acks; "
                    + "register ProcessorFunction.eachRecordWithContext((record, context) -> ...) and send with "
                    + "context.send(...)");
        }
        return ProcessingGuarantee.AT_LEAST_ONCE;
    }

    /** Whether the function takes a {@link ProcessingContext}: a {@link KeyedConsumer} runs it, committing its effects. */
    boolean usesContext() {
        return function instanceof PerRecord<?> p && p.usesContext();
    }

    String app() {
        return stream.host().name();
    }

    String group() {
        return name;
    }

    String membersKey() {
        return Keys.members(app(), stream.name(), name);
    }

    String controlKey() {
        return Keys.control(app(), stream.name(), name);
    }

    String adminLockKey() {
        return Keys.adminLock(app(), stream.name(), name);
    }

    String lockKey(int partition) {
        return Keys.lock(app(), stream.name(), name, partition) + stream.keyTag(partition);
    }

    String assignmentGenerationKey() {
        return Keys.assignmentGeneration(app(), stream.name(), name);
    }

    String epochKey() {
        return Keys.epoch(app(), stream.name(), name);
    }

    String poisonedKey(int partition) {
        return Keys.poisoned(app(), stream.name(), name, partition) + stream.keyTag(partition);
    }

    String haltedKey(int partition) {
        return Keys.halted(app(), stream.name(), name, partition) + stream.keyTag(partition);
    }

    /** The keys of the partition's parking, in the partition's hash slot. */
    ParkingKeys parkingKeys(int partition) {
        String tag = stream.keyTag(partition);
        return new ParkingKeys(stream.partitionKey(partition), Keys.parked(app(), stream.name(), partition) + tag,
                Keys.parking(app(), stream.name(), name, partition) + tag);
    }

    /** The hash of the partition's keyed state {@code state}, in the partition's hash slot. */
    String stateKey(String state, int partition) {
        return Keys.state(app(), stream.name(), name, state, partition) + stream.keyTag(partition);
    }

    /** The sorted set of the expiries of the partition's keyed state {@code state}, in the partition's hash slot. */
    String stateExpiryKey(String state, int partition) {
        return Keys.stateExpiries(app(), stream.name(), name, state, partition) + stream.keyTag(partition);
    }

    /** The partition's outbox of sends to other hash slots (exactly_once on a cluster), in the partition's hash slot. */
    String outboxKey(int partition) {
        return Keys.outbox(app(), stream.name(), name, partition) + stream.keyTag(partition);
    }

    /** The marker of the partition's last commit, in the partition's hash slot. */
    String commitMarkerKey(int partition) {
        return Keys.commitMarker(app(), stream.name(), name, partition) + stream.keyTag(partition);
    }

    String stuckKey(int partition) {
        return Keys.stuck(app(), stream.name(), name, partition) + stream.keyTag(partition);
    }

    /** Shared by every processor of the stream: retention is per stream partition. */
    String retentionKey(int partition) {
        return Keys.retention(app(), stream.name(), partition) + stream.keyTag(partition);
    }

    /** Keeps a static member's partitions assigned to it while it is away (see {@link Executor}). */
    String reservationKey(String memberId) {
        return Keys.reservation(app(), stream.name(), name, memberId);
    }

    /** See {@link Keys#inFlight}. */
    String inFlightKey(String executorId) {
        return Keys.inFlight(app(), stream.name(), name, executorId);
    }

    String heartbeatKey(String executorId) {
        return Keys.heartbeat(app(), stream.name(), name, executorId);
    }
}
