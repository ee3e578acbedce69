// SPDX-License-Identifier: Apache-2.0

package io.runnel.compress;

import io.runnel.api.Compressor;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.api.transport.TransportProvider;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.testkit.FastCoordination;
import io.runnel.testkit.RedisExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LZ4 and Zstandard streams end to end, on a real Redis: chosen by name with
 * {@code default_compressor}, written by one app and read by another, corrupt events
 * handled by the exception policy, and LZ4 events written by Python runnel read by Java.
 */
@Tag("redis")
class CompressedStreamsTest {
    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    private static final AtomicInteger NEXT = new AtomicInteger();

    record Order(String key, int seq, Instant createdAt, String note) {
        Order(String key, int seq) {
            this(key, seq, Instant.parse("2024-01-02T03:04:05Z"), "x".repeat(200 + seq % 50));
        }
    }

    /** Python: {@code class Payment(Record): user_id: str; seq: int; created_at: datetime; amount: float}. */
    record Payment(String user_id, int seq, Instant created_at, double amount) {
    }

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private App app(String name, String compressor, Map<String, Object> settings) {
        App.Builder b = App.builder(name)
                .environment(Map.of())
                .redisUrl(redis.url())
                .setting("transport", "lettuce")
                .setting("default_partition_count", 4)
                .setting("default_compressor", compressor);
        FastCoordination.settings().forEach(b::setting);
        settings.forEach(b::setting);
        App app = b.build();
        open.add(app);
        return app;
    }

    /** A raw connection to the test Redis, through the public transport SPI. */
    private Transport transport() {
        TransportProvider lettuce = ServiceLoader.load(TransportProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("lettuce")).findFirst().orElseThrow();
        Transport t = lettuce.open(ConnectionUrl.parse(redis.url()));
        open.add(t::close);
        return t;
    }

    private static String unique(String prefix) {
        return prefix + NEXT.incrementAndGet() + "x" + Long.toString(System.nanoTime() % 100000, 36);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lz4", "zstd"})
    void a_stream_written_by_one_app_is_read_by_another_with_the_same_setting(String compressor) {
        String name = unique(compressor);
        App producer = app(name, compressor, Map.of());
        App consumer = app(name, compressor, Map.of());
        Stream<Order> out = producer.stream("orders", Order.class, Order::key);
        Stream<Order> in = consumer.stream("orders", Order.class, Order::key);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        consumer.processor(in, "reader", events -> events.records()
                .forEach(o -> seen.computeIfAbsent(o.key(), k -> new CopyOnWriteArrayList<>()).add(o.seq())));
        List<Order> orders = new ArrayList<>();
        for (int seq = 0; seq < 20; seq++) {
            for (int k = 0; k < 5; k++) {
                orders.add(new Order("key-" + k, seq));
            }
        }

        out.sendAll(orders);
        Worker worker = consumer.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> seen.values().stream().mapToInt(List::size).sum() == 100);
        worker.stop();
        assertThat(worker.failure()).isEmpty();
        for (int k = 0; k < 5; k++) {
            assertThat(seen.get("key-" + k)).as("key-" + k).containsExactlyElementsOf(
                    IntStream.range(0, 20).boxed().toList());
        }
        // On the wire: the data field holds the compressor's frames, which decompress to the JSON.
        Transport raw = transport();
        byte[] magic = compressor.equals("lz4") ? new byte[] {0x04, 0x22, 0x4D, 0x18} : new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD};
        Compressor codec = compressor.equals("lz4") ? new Lz4Compressor() : new ZstdCompressor();
        int entries = 0;
        for (int p = 0; p < 4; p++) {
            for (StreamEntry e : raw.range(out.partitionKey(p), "-", "+", 100)) {
                byte[] data = e.fields().get("data");
                assertThat(Arrays.copyOf(data, 4)).isEqualTo(magic);
                assertThat(new String(codec.decompress(data), StandardCharsets.UTF_8)).startsWith("{\"key\":\"key-");
                entries++;
            }
        }
        assertThat(entries).isEqualTo(100);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lz4", "zstd"})
    void a_corrupt_compressed_event_under_quarantine_poisons_only_its_partition_and_the_worker_lives(String compressor) {
        App app = app(unique("bad" + compressor), compressor, Map.of(
                "default_partition_count", 2, "default_exception_policy", ExceptionPolicy.QUARANTINE));
        Stream<Order> orders = app.stream("orders", Order.class, Order::key);
        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        app.processor(orders, "proc", o -> o.deadLetters(), events -> events.records()
                .forEach(o -> seen.computeIfAbsent(o.key(), k -> new CopyOnWriteArrayList<>()).add(o.seq())));
        int bad = orders.partitionOf(new Order("bad", 0));
        String good = "good-0";
        for (int i = 1; orders.partitionOf(new Order(good, 0)) == bad; i++) {
            good = "good-" + i;
        }
        Transport raw = transport();
        orders.send(new Order("bad", 0));
        byte[] valid = (compressor.equals("lz4") ? new Lz4Compressor() : (Compressor) new ZstdCompressor())
                .compress("{\"key\":\"bad\",\"seq\":1,\"note\":\"a payload long enough to compress\"}".getBytes(StandardCharsets.UTF_8));
        byte[] corrupt = valid.clone();
        corrupt[corrupt.length - 2] ^= 0x40; // inside the checksum: structurally fine, detectably wrong
        raw.append(new Append(orders.partitionKey(bad), null, Map.of("data", corrupt), 0));
        orders.send(new Order("bad", 2));
        orders.send(new Order(good, 0));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> worker.poisonedPartitions("proc").contains(bad));
        String goodKey = good;
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.getOrDefault(goodKey, List.of()).size() == 1);
        orders.send(new Order(good, 1));
        await().atMost(Duration.ofSeconds(30)).until(() -> seen.get(goodKey).size() == 2);
        assertThat(worker.failure()).isEmpty();
        assertThat(worker.poisonedPartitions("proc")).containsExactly(bad);
        assertThat(seen.get("bad")).containsExactly(0);
        StreamEntry letter = raw.range(orders.deadLetters().partitionKey(0), "-", "+", 10).get(0);
        assertThat(new String(letter.fields().get("dead_error"), StandardCharsets.UTF_8))
                .contains("SerializationException").contains(compressor.equals("lz4") ? "LZ4" : "zstd");
        assertThat(letter.fields().get("data")).isEqualTo(corrupt);
        worker.stop();
    }

    @Test
    void an_lz4_event_written_by_python_runnel_is_read_by_a_java_app() {
        String name = unique("pylz4");
        App app = app(name, "lz4", Map.of("default_hasher", "python"));
        Stream<Payment> payments = app.stream("payments", Payment.class, Payment::user_id);
        List<Payment> seen = new CopyOnWriteArrayList<>();
        app.processor(payments, "reader", events -> events.records().forEach(seen::add));
        // Python runnel: LZ4 compressor, md5hash: "user-1" goes to partition 1 of 4.
        transport().append(new Append("__strm:" + name + ".payments.1", null,
                Map.of("data", HexFormat.of().parseHex(Lz4CompressorTest.PYTHON_SMALL)), 0));

        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() == 1);
        worker.stop();
        assertThat(worker.failure()).isEmpty();
        assertThat(seen).containsExactly(new Payment("user-1", 1, Instant.parse("2024-01-02T03:04:05Z"), 1.5));
        assertThat(payments.partitionOf(seen.get(0))).isEqualTo(1);
    }
}
