// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.api.Compressor;
import io.runnel.api.RecordType;
import io.runnel.compress.Lz4Compressor;
import io.runnel.compress.ZstdCompressor;
import io.runnel.engine.GzipCompressor;
import io.runnel.serde.json.JsonSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.TimeUnit;

/**
 * The compressors on a JSON payload: one benchmark {@link Order} (~90 bytes, the size of
 * the end-to-end events, where compression mostly adds framing) and 20 orders in one
 * payload (~2 KB, where it pays).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class CompressorBenchmark {

    @Param({"gzip", "lz4", "zstd"})
    public String codec;

    @Param({"1", "20"})
    public int orders;

    private Compressor compressor;
    private byte[] plain;
    private byte[] compressed;

    @Setup
    public void setup() {
        compressor = switch (codec) {
            case "gzip" -> new GzipCompressor();
            case "lz4" -> new Lz4Compressor();
            case "zstd" -> new ZstdCompressor();
            default -> throw new IllegalArgumentException(codec);
        };
        JsonSerializer json = new JsonSerializer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < orders; i++) {
            out.writeBytes(json.serialize(RecordType.of(Order.class), Order.sample(1000 + i)));
        }
        plain = out.toByteArray();
        compressed = compressor.compress(plain);
    }

    @Benchmark
    public byte[] compress() {
        return compressor.compress(plain);
    }

    @Benchmark
    public byte[] decompress() {
        return compressor.decompress(compressed);
    }
}
