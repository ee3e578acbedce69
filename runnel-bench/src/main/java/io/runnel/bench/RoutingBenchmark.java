// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.engine.App;
import io.runnel.engine.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Partition routing as {@code Stream.send} does it for every record: extract the partition
 * key, hash it with the stream's hasher, reduce it to one of 16 partitions. Measured through
 * the public {@link Stream#partitionOf} of a stream keyed by a {@code long} component and one
 * keyed by a {@code String} component (default Murmur3 hasher), and one using the
 * Python-runnel-compatible md5 hasher. No transport is opened.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RoutingBenchmark {

    private App app;
    private Stream<Order> byId;
    private Stream<Order> byCustomer;
    private Stream<Order> pythonByCustomer;
    private Order[] orders;
    private int next;

    @Setup
    public void setup() {
        app = App.builder("routing").environment(Map.of()).redisUrl("memory://routing").setting("transport", "memory").build();
        byId = app.stream("by-id", Order.class, Order::id);
        byCustomer = app.stream("by-customer", Order.class, Order::customer);
        pythonByCustomer = app.stream("python-by-customer", Order.class, Order::customer,
                o -> o.hasher(new io.runnel.engine.PythonHasher()));
        // Varying keys, so the branch predictor and caches see realistic input rather than one value.
        orders = new Order[1024];
        for (int i = 0; i < orders.length; i++) {
            orders[i] = Order.sample(i * 7919L);
        }
    }

    @TearDown
    public void close() {
        app.close();
    }

    private Order nextOrder() {
        return orders[next++ & 1023];
    }

    @Benchmark
    public int longKeyMurmur3() {
        return byId.partitionOf(nextOrder());
    }

    @Benchmark
    public int stringKeyMurmur3() {
        return byCustomer.partitionOf(nextOrder());
    }

    @Benchmark
    public int stringKeyPythonMd5() {
        return pythonByCustomer.partitionOf(nextOrder());
    }
}
