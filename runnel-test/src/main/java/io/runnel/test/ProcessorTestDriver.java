// SPDX-License-Identifier: Apache-2.0

package io.runnel.test;

import io.runnel.engine.App;
import io.runnel.engine.CommittedState;
import io.runnel.engine.DeadLetters;
import io.runnel.engine.ParkedKeys;
import io.runnel.engine.Stream;
import io.runnel.engine.internal.DrivenProcessor;
import io.runnel.engine.internal.DrivenProcessors;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Runs one processor of an app in a test: synchronously, on the test's thread, with a clock
 * that moves only when the test moves it. Pipe records in, run until the processor is idle,
 * then look at what it acknowledged, left pending, dead-lettered, parked or quarantined, and
 * at what it sent to other streams.
 *
 * <pre>{@code
 * App app = App.builder("shop").redisUrl("memory://shop-test").build();
 * ShopApp.define(app);                                   // your streams and processors
 * try (ProcessorTestDriver<Order> driver = ProcessorTestDriver.of(app, "billing")) {
 *     driver.pipe(new Order("o-1", "alice", 120), new Order("o-2", "bob", -5));
 *     driver.runUntilIdle();
 *     assertThat(driver.acked()).extracting(Order::id).containsExactly("o-1", "o-2");
 *     assertThat(driver.deadLetters()).extracting(DeadLetters.DeadLetter::eventId).hasSize(1);
 * }
 * }</pre>
 *
 * <p><b>The same code as a worker.</b> The driver takes every partition's lock, and runs the
 * worker's own partition consumer over each partition in turn: the same {@link io.runnel.engine.Events} views,
 * exception policy, retries, middleware, dead letters and parking, writing to the app's
 * transport as a worker does. So what it leaves behind is what a worker would: the inspection
 * methods read it back from the transport. Use a {@code memory://} URL for tests without
 * Redis, or a real Redis to test against one.
 *
 * <p><b>Time.</b> {@link #advanceTime} fires the app's timers and crontabs due on the way, in
 * order, on the caller's thread (the driver acts as the leader, so leader-only ones fire too).
 * The clock stands still during {@link #runUntilIdle}: a retry's backoff and the rest of a
 * short {@code take(n, within)} batch's window end at once, since nothing could arrive
 * meanwhile. One-shot tasks ({@link App#task}) are not run.
 *
 * <p><b>Differences from a worker.</b> A partition's run ends when it has nothing more to
 * process, so a function looping over {@code records()} returns and is called again on the
 * next run, as after a rebalance. {@code max_processing_time} is not enforced: a function
 * that hangs hangs the test. The HALT policy throws from {@link #runUntilIdle} what a
 * worker's {@link io.runnel.engine.Worker#await()} would throw. A per-record processor with
 * {@code max_in_flight} above 1 runs one delivery at a time, in stream order (an order a
 * worker may take too; {@link #runInKeyOrder} forces another). A processor with a context
 * commits its sends and state changes with its acks, as a worker does, and each run commits
 * what it completed before it returns: {@link #state} and {@link #sentTo} show it.
 *
 * <p>Not thread-safe: use it from the test's thread. Close it to release the locks.
 *
 * @param <T> the record type of the processor's stream
 */
public final class ProcessorTestDriver<T> implements AutoCloseable {
    private final App app;
    private final String processor;
    /** The engine's side: the partitions, their runs, the clock and what they left on the transport. */
    private final DrivenProcessor<T> engine;

    private ProcessorTestDriver(App app, String processor, DrivenProcessor<T> engine) {
        this.app = app;
        this.processor = processor;
        this.engine = engine;
    }

    /**
     * A driver for the processor named {@code processor} of {@code app}, its clock starting
     * now. Declare the target type: {@code ProcessorTestDriver<Order> d = ProcessorTestDriver.of(app, "billing");}.
     *
     * @param app       the app that defines the processor
     * @param processor the processor's name
     * @param <T>       the record type of the processor's stream
     * @return a driver holding every partition of the processor
     * @throws io.runnel.api.Misconfigured if the app has no such processor
     * @throws IllegalStateException       if a running worker holds some of its partitions
     */
    public static <T> ProcessorTestDriver<T> of(App app, String processor) {
        return of(app, processor, Instant.now());
    }

    /**
     * A driver whose clock starts at {@code start} (for crontabs at known times).
     *
     * @param app       the app that defines the processor
     * @param processor the processor's name
     * @param start     the clock's first reading
     * @param <T>       the record type of the processor's stream
     * @return a driver holding every partition of the processor
     * @throws io.runnel.api.Misconfigured if the app has no such processor
     * @throws IllegalStateException       if a running worker holds some of its partitions
     */
    public static <T> ProcessorTestDriver<T> of(App app, String processor, Instant start) {
        Objects.requireNonNull(start, "start");
        return new ProcessorTestDriver<>(app, processor, DrivenProcessors.open(app, processor, start));
    }

    // ------------------------------------------------------------------ input

    /**
     * Sends records to the processor's stream, as {@link Stream#sendAll} does (each to the
     * partition of its key).
     *
     * @param records the records
     * @return their event ids
     */
    @SafeVarargs
    public final List<String> pipe(T... records) {
        return engine.stream().sendAll(List.of(records));
    }

    /**
     * Sends records to the processor's stream in list order, as {@link Stream#sendAll} does
     * (each to the partition of its key).
     *
     * @param records the records
     * @return their event ids
     */
    public List<String> pipe(List<? extends T> records) {
        return engine.stream().sendAll(List.copyOf(records));
    }

    /**
     * Sends a record to the partition of {@code key} rather than of the record's own key, as
     * a producer keying by something else would (say, another service). A name of its own,
     * not an overload of {@link #pipe(Object[])}: {@code pipe(a, b)} of two records must
     * send both.
     *
     * @param key    the key whose partition receives the record
     * @param record the record
     * @return its event id
     */
    public String pipeKeyed(Object key, T record) {
        return engine.sendToPartitionOf(Objects.requireNonNull(key, "key"), record);
    }

    // ---------------------------------------------------------------- running

    /**
     * Processes partition after partition until none has anything left: every event
     * delivered and completed, failed through the exception policy, or held by a quarantined
     * partition. Acknowledgements are sent before it returns.
     *
     * @throws RuntimeException what the HALT policy stops a worker with (the failure itself,
     *                          or a {@link io.runnel.api.RunnelException} wrapping a checked one)
     * @throws IllegalStateException if the driver lost a partition's lock, or the processor
     *                          kept feeding itself for 10,000 rounds
     */
    public void runUntilIdle() {
        engine.runUntilIdle();
    }

    /**
     * Forces an order of hand-outs across keys: hands out the earliest event not yet
     * processed of each given key in turn, one at a time, then runs until idle. A worker
     * running a per-record processor with {@code max_in_flight} above 1 may complete the
     * events of different keys in any order that keeps each key's own order;
     * {@link #runUntilIdle()} takes one such order (stream order), and this one takes the
     * order a test names, for example a later key's event before an earlier key's:
     * <pre>{@code
     * driver.pipe(new Order("o-1", "alice", 10), new Order("o-2", "bob", 20));
     * driver.runInKeyOrder("bob", "alice");   // bob's order completes first
     * }</pre>
     *
     * @param keys partition keys (as the stream's key function returns them), in the order
     *             their next events are to be handed out; a key may repeat
     * @throws IllegalStateException if a key has no event left to process, or is on a
     *                               quarantined partition; and as {@link #runUntilIdle()}
     * @throws RuntimeException      as {@link #runUntilIdle()}
     */
    public void runInKeyOrder(Object... keys) {
        engine.runInKeyOrder(List.of(keys));
    }

    // ------------------------------------------------------------------- time

    /**
     * The driver's clock.
     *
     * @return the time now, as the processor and the app's tasks see it
     */
    public Instant now() {
        return engine.now();
    }

    /**
     * Moves the clock forward by {@code duration}, running each timer and crontab of the app
     * that falls due, at its time and in order. It processes nothing: call
     * {@link #runUntilIdle} for what they sent.
     *
     * @param duration how far to move the clock (not negative)
     * @throws RuntimeException a task's failure (a worker would log it and go on)
     */
    public void advanceTime(Duration duration) {
        engine.advanceTime(duration);
    }

    // ------------------------------------------------------------- inspection

    /**
     * The stream's events the processor acknowledged (processed, or failed and then ignored,
     * dead-lettered or parked), per partition in id order, partitions in order.
     *
     * @return their records
     */
    public List<T> acked() {
        return engine.acked();
    }

    /**
     * The stream's events the processor has not acknowledged: never delivered, or held by a
     * halt or a quarantine.
     *
     * @return their records, per partition in id order
     */
    public List<T> pending() {
        return engine.pending();
    }

    /**
     * The dead letters this processor wrote (on the stream's dead-letter stream), oldest first.
     *
     * @return its dead letters
     */
    public List<DeadLetters.DeadLetter> deadLetters() {
        return app.deadLetters(engine.stream().name()).select(DeadLetters.Selection.all()).stream()
                .filter(d -> processor.equals(d.processor()))
                .toList();
    }

    /**
     * The keys this processor parked (policy PARK), with their events.
     *
     * @return its parked keys
     */
    public List<ParkedKeys.Parked> parked() {
        return app.parkedKeys(processor).list();
    }

    /**
     * The partitions the processor quarantined (policy QUARANTINE); the driver no longer runs them.
     *
     * @return their numbers
     */
    public Set<Integer> poisoned() {
        return engine.poisoned();
    }

    /**
     * Every record in {@code stream} (say, one the processor sends to), per partition in id order.
     *
     * @param stream a stream of the app
     * @param <U>    its record type
     * @return its records
     */
    public <U> List<U> sentTo(Stream<U> stream) {
        return engine.records(stream);
    }

    /**
     * The processor's keyed state {@code name} as committed (a processor with a context,
     * {@link io.runnel.engine.ProcessorFunction#eachRecordWithContext}). A run commits what it
     * completed before it returns, as a worker does before it releases a partition, so this is
     * what the processed events left; what the failed ones staged is not in it. What the
     * processor sent is in {@link #sentTo}.
     *
     * @param name      the state's name
     * @param valueType the type of its values
     * @param <V>       the value type
     * @return the committed state, read from the app's transport; entries with a time to live
     *         expire by the driver's clock
     * @throws io.runnel.api.Misconfigured if the processor has no context
     */
    public <V> CommittedState<V> state(String name, Class<V> valueType) {
        return engine.state(name, valueType);
    }

    // ---------------------------------------------------------------- closing

    /** Sends outstanding acks and releases the partitions' locks; the app stays open. */
    @Override
    public void close() {
        engine.close();
    }
}
