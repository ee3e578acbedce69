// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Compressor;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.Misconfigured;
import io.runnel.api.SerializationException;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The built-in gzip compressor, alone and in apps on a real Redis, and compressor selection. */
@Tag("redis")
class CompressionTest extends RedisBackedTest {
    private final GzipCompressor gzip = new GzipCompressor();

    /** Payloads of awkward sizes: empty, tiny, around zlib's 8 KiB buffers and 64 KiB, large; random and repetitive. */
    static List<byte[]> payloads() {
        Random random = new Random(7);
        List<byte[]> all = new ArrayList<>();
        for (int size : new int[] {0, 1, 2, 100, 8191, 8192, 8193, 65535, 65536, 65537, 1 << 20}) {
            byte[] noise = new byte[size];
            random.nextBytes(noise);
            all.add(noise);
            String line = "{\"key\":\"customer-42\",\"seq\":17}";
            byte[] text = new byte[size];
            for (int i = 0; i < size; i++) {
                text[i] = (byte) line.charAt(i % line.length());
            }
            all.add(text);
        }
        return all;
    }

    // ------------------------------------------------------------------ the codec

    @Test
    void gzip_round_trips_random_repetitive_and_empty_payloads() {
        for (byte[] payload : payloads()) {
            byte[] compressed = gzip.compress(payload);
            assertThat(gzip.decompress(compressed)).as("%d bytes", payload.length).isEqualTo(payload);
        }
        assertThat(gzip.decompress(gzip.compress(new byte[0]))).isEmpty();
        byte[] repetitive = payloads().get(payloads().size() - 1);
        assertThat(gzip.compress(repetitive).length).isLessThan(repetitive.length / 50);
    }

    @Test
    void gzip_writes_standard_gzip_and_reads_pythons() throws IOException {
        byte[] json = "{\"key\":\"k\",\"seq\":1}".getBytes(StandardCharsets.UTF_8);
        byte[] compressed = gzip.compress(json);
        assertThat(compressed[0] & 0xFF).isEqualTo(0x1f);
        assertThat(compressed[1] & 0xFF).isEqualTo(0x8b);
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            assertThat(in.readAllBytes()).isEqualTo(json);
        }
        // Python: gzip.compress(HasherPythonInteropTest.PYTHON_JSON, mtime=0), level 9.
        byte[] python = HexFormat.of().parseHex(HasherPythonInteropTest.PYTHON_GZIP_HEX);
        assertThat(new String(gzip.decompress(python), StandardCharsets.UTF_8)).isEqualTo(HasherPythonInteropTest.PYTHON_JSON);
    }

    @Test
    void gzip_reads_concatenated_members_as_one_payload_like_python() {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(gzip.compress("hello ".getBytes(StandardCharsets.UTF_8)));
        both.writeBytes(new GzipCompressor(9).compress("world".getBytes(StandardCharsets.UTF_8)));
        assertThat(new String(gzip.decompress(both.toByteArray()), StandardCharsets.UTF_8)).isEqualTo("hello world");
    }

    @Test
    void every_level_round_trips_and_bad_arguments_are_refused() {
        byte[] text = payloads().get(13);
        for (int level = 0; level <= 9; level++) {
            assertThat(new GzipCompressor(level).decompress(new GzipCompressor(level).compress(text))).isEqualTo(text);
        }
        assertThat(new GzipCompressor(9).compress(text).length).isLessThan(new GzipCompressor(0).compress(text).length);
        assertThatThrownBy(() -> new GzipCompressor(10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GzipCompressor(6, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void a_payload_that_is_not_valid_gzip_is_a_serialization_exception() {
        byte[] good = gzip.compress("{\"key\":\"customer-42\",\"seq\":17,\"amount\":1.5}".getBytes(StandardCharsets.UTF_8));
        byte[] crcFlipped = good.clone();
        crcFlipped[crcFlipped.length - 6] ^= 0x55;
        byte[] bodyFlipped = good.clone();
        bodyFlipped[12] ^= 0x55;
        Map<String, byte[]> corrupt = Map.of(
                "empty", new byte[0],
                "plain JSON", "{\"key\":\"k\"}".getBytes(StandardCharsets.UTF_8),
                "only the magic", new byte[] {0x1f, (byte) 0x8b},
                "truncated header", Arrays.copyOf(good, 6),
                "truncated body", Arrays.copyOf(good, good.length / 2),
                "truncated trailer", Arrays.copyOf(good, good.length - 3),
                "CRC mismatch", crcFlipped,
                "flipped body byte", bodyFlipped,
                "random noise", noise(500));
        corrupt.forEach((what, bytes) -> assertThatThrownBy(() -> gzip.decompress(bytes)).as(what)
                .isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("gunzip"));
        assertThatThrownBy(() -> gzip.decompress(null)).isExactlyInstanceOf(SerializationException.class);
    }

    @Test
    void a_payload_expanding_beyond_the_limit_is_refused_not_allocated() {
        GzipCompressor bounded = new GzipCompressor(6, 10_000);
        byte[] bomb = bounded.compress(new byte[10_001]);
        assertThat(bounded.decompress(bounded.compress(new byte[10_000]))).hasSize(10_000);
        assertThatThrownBy(() -> bounded.decompress(bomb)).isExactlyInstanceOf(SerializationException.class)
                .hasMessageContaining("10000");
    }

    @Test
    void one_instance_is_safe_to_share_between_threads() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < 200; i++) {
                        byte[] payload = new byte[random.nextInt(20_000)];
                        random.nextBytes(payload);
                        Arrays.fill(payload, 0, payload.length / 2, (byte) seed);
                        assertThat(gzip.decompress(gzip.compress(payload))).isEqualTo(payload);
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

    // ------------------------------------------------------------------ selection

    @Test
    void gzip_is_discoverable_and_selected_by_name() {
        List<String> names = ServiceLoader.load(Compressor.class).stream().map(p -> p.get().name()).toList();
        assertThat(names).contains("gzip");
        assertThat(Plugins.compressor("gzip")).containsInstanceOf(GzipCompressor.class);
        assertThat(Plugins.compressor(null)).isEmpty();
        assertThat(Plugins.compressor("none")).isEmpty();
    }

    @Test
    void an_unknown_default_compressor_fails_naming_the_setting_and_the_choices() {
        App app = apps.app(TestApps.uniqueName("nocomp"), b -> b.setting("default_compressor", "snappy"));

        assertThatThrownBy(() -> app.stream("orders", Order.class, Order::key))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("default_compressor")
                .hasMessageContaining("snappy")
                .hasMessageContaining("gzip");
    }

    @Test
    void a_stream_option_overrides_the_default_compressor() {
        App app = apps.app(TestApps.uniqueName("percomp"), b -> b.setting("default_partition_count", 1));
        Stream<Order> compressed = app.stream("compressed", Order.class, Order::key, o -> o.compressor(new GzipCompressor()));
        Stream<Order> plain = app.stream("plain", Order.class, Order::key);

        compressed.send(new Order("k", 1));
        plain.send(new Order("k", 1));

        assertThat(data(app, compressed.partitionKey(0))[0] & 0xFF).isEqualTo(0x1f);
        assertThat(new String(data(app, plain.partitionKey(0)), StandardCharsets.UTF_8)).startsWith("{\"key\":\"k\"");
    }

    // ------------------------------------------------------------------ end to end

    @Test
    void a_gzip_stream_written_by_one_app_is_read_by_another_with_the_same_setting() {
        String name = TestApps.uniqueName("gzip");
        App producer = apps.app(name, b -> b.setting("default_compressor", "gzip"));
        App consumer = apps.app(name, b -> b.setting("default_compressor", "gzip"));
        Stream<Order> out = producer.stream("orders", Order.class, Order::key);
        Stream<Order> in = consumer.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        consumer.processor(in, "reader", events -> events.records().forEach(log::add));

        out.sendAll(TestApps.orders(5, 20));
        Worker worker = consumer.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> log.count() == 100);
        worker.stop();
        log.assertExactlyOnceInOrder(5, 20);
        for (int p = 0; p < out.partitionCount(); p++) {
            for (StreamEntry e : producer.transport().range(out.partitionKey(p), "-", "+", 100)) {
                byte[] data = e.fields().get("data");
                assertThat(data[0] & 0xFF).isEqualTo(0x1f);
                assertThat(new String(gzip.decompress(data), StandardCharsets.UTF_8)).startsWith("{\"key\":\"key-");
            }
        }
    }

    @Test
    void a_corrupt_compressed_event_under_quarantine_poisons_only_its_partition() {
        App app = apps.app(TestApps.uniqueName("gzbad"), b -> b
                .setting("default_compressor", "gzip")
                .setting("default_partition_count", 2));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        ProcessedLog log = new ProcessedLog();
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.QUARANTINE).deadLetters(),
                events -> events.records().forEach(log::add));
        int bad = orders.partitionOf(new Order("bad", 0));
        String good = keyOutside(orders, bad);
        orders.send(new Order("bad", 0));
        byte[] valid = gzip.compress("{\"key\":\"bad\",\"seq\":1}".getBytes(StandardCharsets.UTF_8));
        byte[] truncated = Arrays.copyOf(valid, valid.length - 5);
        app.transport().append(new Append(orders.partitionKey(bad), null, Map.of("data", truncated), 0));
        orders.send(new Order("bad", 2));
        orders.send(new Order(good, 0));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> worker.poisonedPartitions("proc").contains(bad));
        await().atMost(Duration.ofSeconds(30)).until(() -> log.snapshot().getOrDefault(good, List.of()).size() == 1);
        // The healthy partition keeps flowing; the poisoned one stays put after its last good event.
        orders.send(new Order(good, 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> log.snapshot().get(good).size() == 2);
        assertThat(worker.failure()).isEmpty();
        assertThat(worker.poisonedPartitions("proc")).containsExactly(bad);
        assertThat(log.snapshot().get("bad")).containsExactly(0);
        StreamEntry letter = app.transport().range(orders.deadLetters().partitionKey(0), "-", "+", 10).get(0);
        assertThat(new String(letter.fields().get("dead_error"), StandardCharsets.UTF_8))
                .contains("SerializationException").contains("gunzip");
        assertThat(letter.fields().get("data")).isEqualTo(truncated);
    }

    /** A key whose events go to another partition than {@code partition}. */
    private static String keyOutside(Stream<Order> orders, int partition) {
        for (int i = 0; ; i++) {
            if (orders.partitionOf(new Order("good-" + i, 0)) != partition) {
                return "good-" + i;
            }
        }
    }

    private static byte[] data(App app, String key) {
        return app.transport().range(key, "-", "+", 1).get(0).fields().get("data");
    }

    private static byte[] noise(int size) {
        byte[] b = new byte[size];
        new Random(size).nextBytes(b);
        return b;
    }
}
