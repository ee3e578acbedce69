// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.codahale.metrics.MetricRegistry;
import io.runnel.api.Delivery;
import io.runnel.api.Event;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What the engine's metrics cost per consumed event, alone: what a partition consumer records
 * for each single-event delivery (handed out, then succeeded), its flush into the shared
 * metrics and, per 128 events, what the acker records for their acks. In the engine's package because {@code ProcessorMetrics} is
 * package-private. Compare the score (ns per event) with the CPU per event of the end-to-end
 * rows: issue 18 asks for metrics at most 10 % of it.
 *
 * <p>Two threads record on different partitions, as two partitions' consumers do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@OperationsPerInvocation(MetricsBenchmark.EVENTS)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(2)
public class MetricsBenchmark {
    static final int EVENTS = 128;
    private static final int PARTITIONS = 16;

    private App app;
    private ProcessorMetrics metrics;
    private final java.util.concurrent.atomic.AtomicInteger nextPartition = new java.util.concurrent.atomic.AtomicInteger();

    /** The stream's record type; the benchmark never encodes one. */
    @io.runnel.api.Primitive
    public record Tick(long n) {
    }

    /** One partition's deliveries, acks and recorder, for one benchmark thread. */
    @State(Scope.Thread)
    public static class Partition {
        final List<Delivery> deliveries = new ArrayList<>(EVENTS);
        Map<String, List<String>> acks;
        DeliveryMetrics recorder;

        @Setup
        public void setup(MetricsBenchmark bench) {
            int partition = bench.nextPartition.getAndIncrement() % PARTITIONS; // each thread its own
            String key = bench.app.streamNamed("orders").partitionKey(partition);
            List<String> ids = new ArrayList<>(EVENTS);
            long now = System.currentTimeMillis();
            for (int i = 0; i < EVENTS; i++) {
                String id = now + "-" + i;
                ids.add(id);
                deliveries.add(new Delivery("p", partition, List.of(new Event("orders", partition, id, Map.of())), 1));
            }
            acks = Map.of(key, ids);
            recorder = bench.metrics.deliveries(partition);
        }
    }

    @Setup
    public void setup() {
        app = App.builder("metrics").environment(Map.of()).redisUrl("memory://metrics-" + UUID.randomUUID())
                .setting("default_partition_count", PARTITIONS).build();
        Stream<Tick> stream = app.stream("orders", Tick.class, Tick::n);
        metrics = new ProcessorMetrics(new MetricRegistry(), Clock.systemUTC(), "metrics", stream.keys(), "p", app::transport);
    }

    @TearDown
    public void tearDown() {
        app.close();
    }

    @Benchmark
    public void perEvent(Partition p) {
        for (Delivery d : p.deliveries) {
            p.recorder.delivered(d);
            p.recorder.succeeded(d, 1_000);
        }
        // As a consumer does when it hands its acks over, every 128 events under load.
        p.recorder.flush();
        metrics.acked(p.acks);
    }
}
