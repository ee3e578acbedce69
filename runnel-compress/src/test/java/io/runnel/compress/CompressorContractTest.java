// SPDX-License-Identifier: Apache-2.0

package io.runnel.compress;

import io.runnel.api.Compressor;
import io.runnel.api.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every compressor on the classpath promises: found by name, lossless, thread-safe, corrupt input a SerializationException. */
class CompressorContractTest {

    /** Every compressor ServiceLoader finds, the way the engine finds them: gzip (engine), lz4 and zstd (this module). */
    static Stream<Compressor> compressors() {
        return ServiceLoader.load(Compressor.class).stream().map(ServiceLoader.Provider::get);
    }

    @Test
    void lz4_zstd_and_gzip_are_discovered_under_their_names() {
        Map<String, Class<?>> byName = compressors().collect(Collectors.toMap(Compressor::name, Object::getClass));
        assertThat(byName).containsEntry("lz4", Lz4Compressor.class).containsEntry("zstd", ZstdCompressor.class)
                .containsKey("gzip");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressors")
    void round_trips_random_repetitive_and_empty_payloads(Compressor compressor) {
        Random random = new Random(11);
        for (int size : new int[] {0, 1, 3, 15, 16, 100, 4095, 65535, 65536, 65537, 131072, 1_000_003}) {
            byte[] noise = new byte[size];
            random.nextBytes(noise);
            assertThat(compressor.decompress(compressor.compress(noise))).as("%d random bytes", size).isEqualTo(noise);
            byte[] text = Lz4CompressorTest.text(size);
            assertThat(compressor.decompress(compressor.compress(text))).as("%d bytes of text", size).isEqualTo(text);
        }
        assertThat(compressor.decompress(compressor.compress(new byte[0]))).isEmpty();
        byte[] text = Lz4CompressorTest.text(200_000);
        assertThat(compressor.compress(text).length).as("compresses").isLessThan(text.length / 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressors")
    void corrupt_input_is_always_a_serialization_exception(Compressor compressor) {
        byte[] good = compressor.compress(Lz4CompressorTest.text(5000));
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x5A;
        List<byte[]> corrupt = List.of(new byte[0], new byte[] {0}, "{\"key\":\"k\"}".getBytes(StandardCharsets.UTF_8),
                Arrays.copyOf(good, good.length / 2), Arrays.copyOf(good, good.length - 1), flipped,
                Lz4CompressorTest.noise(1000, 5));
        for (byte[] bytes : corrupt) {
            assertThatThrownBy(() -> compressor.decompress(bytes)).as("%d bytes", bytes.length)
                    .isExactlyInstanceOf(SerializationException.class);
        }
        // Another compressor's output is corrupt input too.
        compressors().filter(other -> !other.name().equals(compressor.name())).forEach(other ->
                assertThatThrownBy(() -> compressor.decompress(other.compress(good))).as("%s output", other.name())
                        .isExactlyInstanceOf(SerializationException.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressors")
    void one_instance_is_safe_to_share_between_threads(Compressor compressor) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 300; i++) {
                        byte[] payload = Lz4CompressorTest.text(random.nextInt(100_000));
                        Arrays.fill(payload, 0, random.nextInt(payload.length + 1), (byte) seed);
                        assertThat(compressor.decompress(compressor.compress(payload))).isEqualTo(payload);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
