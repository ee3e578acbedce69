// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Middleware;
import io.runnel.api.ProcessingGuarantee;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Options of one processor, given to {@link App#processor(Stream, String, java.util.function.Consumer, ProcessorFunction)}.
 * Anything not set comes from the app's {@code default_*} settings.
 */
public final class ProcessorOptions {
    /** Overrides of the processor-scoped {@code default_*} settings. */
    final Overrides settings = new Overrides(Setting.Scope.PROCESSOR);
    Predicate<Throwable> retryable;
    final List<Middleware> middleware = new ArrayList<>();
    final List<RebalanceListener> rebalanceListeners = new ArrayList<>();
    boolean deadLetters;

    ProcessorOptions() {
    }

    /**
     * What to do when the function throws (default: setting {@code default_exception_policy}).
     *
     * @param policy the policy for deliveries that still fail after their retries
     * @return these options
     */
    public ProcessorOptions exceptionPolicy(ExceptionPolicy policy) {
        return set(Settings.DEFAULT_EXCEPTION_POLICY, policy);
    }

    /**
     * Adds middleware, in order.
     *
     * @param middleware the middleware to add after any added before
     * @return these options
     */
    public ProcessorOptions middleware(Middleware... middleware) {
        for (Middleware m : middleware) {
            this.middleware.add(Objects.requireNonNull(m, "middleware"));
        }
        return this;
    }

    /**
     * Adds a listener told of partitions assigned to, revoked from and lost by each worker.
     *
     * @param listener the listener to add
     * @return these options
     */
    public ProcessorOptions rebalanceListener(RebalanceListener listener) {
        this.rebalanceListeners.add(Objects.requireNonNull(listener, "rebalance listener"));
        return this;
    }

    /**
     * Forwards every failed delivery, byte for byte, to the stream's dead-letter stream
     * {@code dead.<stream>} (see {@link Stream#deadLetters()}) before the exception policy
     * applies. Combine with {@link ExceptionPolicy#IGNORE} to always make progress.
     *
     * @return these options
     */
    public ProcessorOptions deadLetters() {
        this.deadLetters = true;
        return this;
    }

    /**
     * Partition lock and heartbeat time to live.
     *
     * @param d the time to live (positive; at least twice the grace period)
     * @return these options
     * @throws InvalidSetting if {@code d} is not positive
     */
    public ProcessorOptions lockExpiry(Duration d) {
        return set(Settings.DEFAULT_LOCK_EXPIRY, d);
    }

    /**
     * How much sooner than the lock's expiry on the server this process stops acting for a
     * partition whose lock it could not extend: room for the server's and this JVM's clocks
     * to run at different rates. Must be under half of lock_expiry.
     *
     * @param d the margin (positive)
     * @return these options
     * @throws InvalidSetting if {@code d} is not positive
     */
    public ProcessorOptions leaseMargin(Duration d) {
        return set(Settings.DEFAULT_LEASE_MARGIN, d);
    }

    /**
     * How long one read blocks waiting for events; must be shorter than the grace period.
     *
     * @param d the longest wait of one read (positive)
     * @return these options
     * @throws InvalidSetting if {@code d} is not positive
     */
    public ProcessorOptions readTimeout(Duration d) {
        return set(Settings.DEFAULT_READ_TIMEOUT, d);
    }

    /**
     * Events read at once, and buffered, per owned partition.
     *
     * @param n the number of events (positive)
     * @return these options
     * @throws InvalidSetting if {@code n} is not positive
     */
    public ProcessorOptions prefetchCount(int n) {
        return set(Settings.DEFAULT_PREFETCH_COUNT, n);
    }

    /**
     * Deliveries of different partition keys a per-record processor
     * ({@link ProcessorFunction#eachRecord}) runs at once per owned partition, each on its own
     * virtual thread (default: setting {@code default_max_in_flight}, 1). A key's events still
     * run one after another, in stream order, and each is acknowledged as it completes. For
     * handlers that wait (a database, an HTTP call) rather than compute.
     *
     * @param n the most concurrent deliveries per partition (positive; 1: one at a time)
     * @return these options
     * @throws InvalidSetting if {@code n} is not positive
     */
    public ProcessorOptions maxInFlight(int n) {
        return set(Settings.DEFAULT_MAX_IN_FLIGHT, n);
    }

    /**
     * What a processor with a context ({@link ProcessorFunction#eachRecordWithContext})
     * promises of its sends (default: setting {@code default_processing_guarantee},
     * {@code at_least_once}). Under {@link ProcessingGuarantee#EXACTLY_ONCE} a delivery's
     * sends and state changes commit atomically with its event's acknowledgement, fenced by
     * the partition's lease. Asking for it on a processor without a context fails the
     * definition.
     *
     * @param guarantee the guarantee
     * @return these options
     */
    public ProcessorOptions processingGuarantee(ProcessingGuarantee guarantee) {
        return set(Settings.DEFAULT_PROCESSING_GUARANTEE, guarantee);
    }

    /**
     * The longest a completed delivery of a processor with a context waits for its commit
     * (default: setting {@code default_commit_interval}, 100 ms); a commit also goes once 128
     * deliveries have gathered, when the partition has nothing more to do, and before its
     * lock is released. Longer: fewer, larger commits; shorter: the ack, and under
     * {@code exactly_once} the sends, sooner.
     *
     * @param d the longest wait (positive)
     * @return these options
     * @throws InvalidSetting if {@code d} is not positive
     */
    public ProcessorOptions commitInterval(Duration d) {
        return set(Settings.DEFAULT_COMMIT_INTERVAL, d);
    }

    /**
     * How many replicas must confirm each commit of a processor with a context (Redis
     * {@code WAIT}, up to setting {@code send_replicas_timeout}) before the partition's next
     * commit goes (default: setting {@code default_commit_replicas}, 0). A commit confirmed by
     * them survives a failover that promotes one of them; one they do not confirm in time stays
     * done, and is logged at WARN. Each commit then waits a round trip to the replicas.
     *
     * @param n the number of replicas, 0 to 100
     * @return these options
     * @throws InvalidSetting if {@code n} is out of range
     */
    public ProcessorOptions commitReplicas(int n) {
        return set(Settings.DEFAULT_COMMIT_REPLICAS, n);
    }

    /**
     * Tries to acquire assigned partitions before giving up with {@code RebalanceFailed}.
     *
     * @param n the number of tries (positive)
     * @return these options
     * @throws InvalidSetting if {@code n} is not positive
     */
    public ProcessorOptions assignmentAttempts(int n) {
        return set(Settings.DEFAULT_ASSIGNMENT_ATTEMPTS, n);
    }

    /**
     * Wait between acquisition tries and between periodic rebalance checks.
     *
     * @param d the wait (positive)
     * @return these options
     * @throws InvalidSetting if {@code d} is not positive
     */
    public ProcessorOptions assignmentSleep(Duration d) {
        return set(Settings.DEFAULT_ASSIGNMENT_SLEEP, d);
    }

    /**
     * Tries a failed delivery again in place, up to {@code maxAttempts} tries in all, before
     * the exception policy applies (default: the {@code default_retry_*} settings, which try
     * once). The partition waits meanwhile, so per-key order holds; the pause after the
     * {@code k}th failure is {@code initialBackoff × multiplier^(k-1)}, at most
     * {@code maxBackoff}, ± {@code jitter} of itself. A revoked or stopping partition stops
     * waiting at once, and its events go to the next owner. The function sees which try it is
     * in ({@link Events#attempt()}, {@link io.runnel.api.Delivery#attempt()}, the MDC's
     * {@code attempt}).
     *
     * @param maxAttempts    tries in all, at least 1 (1: no retry)
     * @param initialBackoff the pause after the first failed try (zero or more)
     * @param maxBackoff     the longest pause, at least {@code initialBackoff}
     * @param multiplier     how much each pause grows over the previous one, at least 1
     * @param jitter         the fraction of a pause it is lengthened or shortened by at random,
     *                       0 to 1
     * @return these options
     * @throws io.runnel.api.Misconfigured naming the value out of range
     */
    public ProcessorOptions retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
                                  double jitter) {
        new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter); // checks them together
        set(Settings.DEFAULT_RETRY_ATTEMPTS, maxAttempts);
        set(Settings.DEFAULT_RETRY_BACKOFF, initialBackoff);
        set(Settings.DEFAULT_RETRY_MAX_BACKOFF, maxBackoff);
        set(Settings.DEFAULT_RETRY_MULTIPLIER, multiplier);
        return set(Settings.DEFAULT_RETRY_JITTER, jitter);
    }

    /**
     * Which failures are retried (default: all but {@link io.runnel.api.SerializationException},
     * which would fail the same way every time). A {@link io.runnel.api.ProcessingTimeout}
     * (a stuck function) and {@link io.runnel.api.Misconfigured} are never retried.
     *
     * @param retryable true for a failure worth trying again
     * @return these options
     */
    public ProcessorOptions retryIf(Predicate<Throwable> retryable) {
        this.retryable = Objects.requireNonNull(retryable, "retryable");
        return this;
    }

    /**
     * Time a revoked or stopping partition has to finish its current iteration.
     *
     * @param d the grace period (positive; longer than the read timeout)
     * @return these options
     * @throws InvalidSetting if {@code d} is not positive
     */
    public ProcessorOptions gracePeriod(Duration d) {
        return set(Settings.DEFAULT_GRACE_PERIOD, d);
    }

    /**
     * How long one delivery may stay with the processor function (like Kafka's
     * {@code max.poll.interval.ms}). Past it the worker logs the stuck thread's stack,
     * shows the partition as stuck in {@code status} and metrics, interrupts the thread and
     * fails the delivery with {@link io.runnel.api.ProcessingTimeout} under the exception
     * policy; a thread that ignores the interrupt for a grace period more loses the partition.
     *
     * @param d the longest time one delivery may take (positive)
     * @return these options
     * @throws InvalidSetting if {@code d} is not positive
     */
    public ProcessorOptions maxProcessingTime(Duration d) {
        return set(Settings.DEFAULT_MAX_PROCESSING_TIME, d);
    }

    /**
     * Concurrent reads (connections) of this processor's executor.
     *
     * @param n the number of concurrent reads (positive)
     * @return these options
     * @throws InvalidSetting if {@code n} is not positive
     */
    public ProcessorOptions poolSize(int n) {
        return set(Settings.DEFAULT_POOL_SIZE, n);
    }

    /**
     * Wait before joining the processor, while its members keep their partitions (a process that
     * fails during its first seconds never moves a partition).
     *
     * @param d the wait (zero or more)
     * @return these options
     * @throws InvalidSetting if {@code d} is negative
     */
    public ProcessorOptions joinDelay(Duration d) {
        return set(Settings.DEFAULT_JOIN_DELAY, d);
    }

    /**
     * Overrides a processor-scoped setting by name, without its {@code default_}
     * ({@code pool_size}, {@code poolSize}; {@code default_pool_size} works too), with a value
     * as the setting reads it ({@code "30s"}, {@code 4}, a {@link Duration}). The named
     * methods above do the same for each.
     *
     * @param name  the setting's name, with or without {@code default_}, snake_case or camelCase
     * @param value its value, as text or as a value of the setting's type
     * @return these options
     * @throws InvalidSetting when the name is not a processor-scoped setting (naming the
     *                        nearest one) or the value is out of range
     */
    public ProcessorOptions setting(String name, Object value) {
        settings.put(name, value);
        return this;
    }

    private ProcessorOptions set(Setting<?> setting, Object value) {
        settings.put(setting, value);
        return this;
    }
}
