// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.engine.Murmur3Hasher;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** The default hasher routing a String key and a long key to one of 16 partitions. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HasherBenchmark {

    private final Murmur3Hasher murmur3 = new Murmur3Hasher();
    private String stringKey = "customer-00042";
    private Long longKey = 123_456L;

    @Benchmark
    public int murmur3String() {
        return murmur3.partition(stringKey, 16);
    }

    @Benchmark
    public int murmur3Long() {
        return murmur3.partition(longKey, 16);
    }
}
