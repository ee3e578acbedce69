// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.api.Delivery;
import io.runnel.api.Middleware;
import io.runnel.engine.App;
import io.runnel.engine.Events;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's in-process path from a fetched entry to the processor, without Redis: one
 * Runnel worker on the in-memory transport consumes {@value #EVENTS} preloaded JSON orders
 * over 16 partitions — fetcher, partition buffers (queue hand-off), middleware chain,
 * {@code records()} or {@code take(100)} batching, JSON decoding, coalesced acks. The score
 * is events per second.
 *
 * <p>One invocation starts a worker and ends when the processor has counted every event,
 * so it includes the worker's start (join and 16 lock acquisitions, well under a
 * millisecond in memory); resetting the group and stopping the worker happen outside the
 * timed part ({@link Level#Invocation} fixtures). {@code middleware} adds that many no-op
 * middleware to the chain.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(PipelineBenchmark.EVENTS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PipelineBenchmark {
    static final int EVENTS = 50_000;
    private static final String PROCESSOR = "pipeline";

    @Param({"records", "take100"})
    public String view;

    @Param({"0", "3"})
    public int middleware;

    private App app;
    private final AtomicLong counted = new AtomicLong();
    private volatile CountDownLatch done;
    private Worker worker;
    static volatile long sink;

    /** Does nothing: measures what the chain itself costs per delivery. */
    static final class NoOp implements Middleware {
        @Override
        public void beforeProcessing(Delivery delivery) {
            sink += delivery.events().size();
        }
    }

    @Setup(Level.Trial)
    public void setup() {
        app = App.builder("pipeline")
                .environment(Map.of())
                .redisUrl("memory://pipeline-" + UUID.randomUUID()) // a store of its own
                .setting("transport", "memory")
                .setting("default_join_delay", 0)
                // Stopping waits for blocked reads: keep them short so the untimed stop is quick.
                .setting("default_read_timeout", "50ms")
                .build();
        Stream<Order> orders = app.stream("orders", Order.class, Order::id, o -> o.partitionSize(2L * EVENTS));
        Middleware[] chain = new Middleware[middleware];
        for (int i = 0; i < chain.length; i++) {
            chain[i] = new NoOp();
        }
        app.processor(orders, PROCESSOR, o -> o.middleware(chain), this::process);
        List<Order> batch = new ArrayList<>(1000);
        for (int i = 0; i < EVENTS; i++) {
            batch.add(Order.sample(i));
            if (batch.size() == 1000) {
                orders.sendAll(batch);
                batch.clear();
            }
        }
    }

    private void process(Events<Order> events) {
        if (view.equals("take100")) {
            for (List<Order> batch : events.take(100, Duration.ofMillis(20)).records()) {
                long s = 0;
                for (Order o : batch) {
                    s += o.id();
                }
                sink += s;
                count(batch.size());
            }
        } else {
            for (Order o : events.records()) {
                sink += o.id();
                count(1);
            }
        }
    }

    private void count(int n) {
        if (counted.addAndGet(n) >= EVENTS) {
            done.countDown();
        }
    }

    @Setup(Level.Invocation)
    public void replay() {
        app.resetProcessor(PROCESSOR, "0");
        counted.set(0);
        done = new CountDownLatch(1);
        worker = app.worker(PROCESSOR);
    }

    @Benchmark
    public void consumeAll() throws InterruptedException {
        worker.start();
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("only " + counted.get() + " of " + EVENTS + " events in 60 s"
                    + worker.failure().map(f -> ": " + f).orElse(""));
        }
    }

    @TearDown(Level.Invocation)
    public void stopWorker() {
        worker.stop();
    }

    @TearDown(Level.Trial)
    public void close() {
        app.close();
    }
}
