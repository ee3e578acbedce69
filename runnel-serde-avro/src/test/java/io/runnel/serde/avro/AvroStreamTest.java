// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.Compressor;
import io.runnel.api.ExceptionPolicy;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.transport.Append;
import io.runnel.api.transport.StreamEntry;
import io.runnel.api.transport.Transport;
import io.runnel.engine.App;
import io.runnel.engine.Stream;
import io.runnel.engine.Worker;
import io.runnel.serde.avro.generated.Payment;
import io.runnel.serde.avro.v1.Order;
import io.runnel.testkit.RedisExtension;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Avro serializer inside apps: chosen by {@code default_serializer=avro}, schemas
 * registered in the app's Redis (or memory store), evolution across apps, and corrupt events
 * under the QUARANTINE policy, on every transport.
 */
@Tag("redis")
class AvroStreamTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static RedisExtension redis = new RedisExtension();

    @RegisterExtension
    final AvroApps apps = new AvroApps(redis);

    private static io.runnel.serde.avro.v2.Order v2(String id, int quantity, String price, List<String> tags, long revision) {
        return new io.runnel.serde.avro.v2.Order(id, quantity, price == null ? null : new BigDecimal(price), tags, revision);
    }

    /** A processor that keeps every record it sees. */
    private static <T> List<T> collect(App app, Stream<T> stream) {
        List<T> seen = new CopyOnWriteArrayList<>();
        app.processor(stream, "collector", events -> events.records().forEach(seen::add));
        return seen;
    }

    private static String schemaKey(String app, Class<?> type) {
        return SchemaStore.key(app, AvroSerializer.fingerprint(AvroSerializer.schemaOf(type)));
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void records_round_trip_through_a_stream_in_single_object_encoding(TransportKind transport) {
        String name = AvroApps.uniqueName("avro");
        App app = apps.app(transport, name);
        Stream<io.runnel.serde.avro.v2.Order> orders = app.stream("orders", io.runnel.serde.avro.v2.Order.class, "id");
        List<io.runnel.serde.avro.v2.Order> seen = collect(app, orders);
        List<io.runnel.serde.avro.v2.Order> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(v2("o-" + i, i, i % 2 == 0 ? null : i + ".50", i % 3 == 0 ? null : List.of("t" + i), i));
        }

        orders.sendAll(sent);
        Worker worker = app.worker().start();

        await().atMost(WAIT).until(() -> seen.size() == sent.size());
        worker.stop();
        assertThat(seen).containsExactlyInAnyOrderElementsOf(sent);
        Transport raw = apps.raw(transport, name);
        int p = orders.partitionOf(sent.get(0));
        byte[] data = raw.range(orders.partitionKey(p), "-", "+", 1).get(0).fields().get("data");
        assertThat(Arrays.copyOf(data, 2)).containsExactly(0xC3, 0x01);
        assertThat(raw.get(schemaKey(name, io.runnel.serde.avro.v2.Order.class))).isPresent();
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void a_worker_with_a_newer_record_reads_events_written_with_the_old_one(TransportKind transport) {
        String name = AvroApps.uniqueName("evolve");
        App oldApp = apps.app(transport, name);
        App newApp = apps.app(transport, name);
        Stream<Order> oldOrders = oldApp.stream("orders", Order.class, Order::id);
        Stream<io.runnel.serde.avro.v2.Order> newOrders = newApp.stream("orders", io.runnel.serde.avro.v2.Order.class, "id");
        List<io.runnel.serde.avro.v2.Order> seen = collect(newApp, newOrders);

        oldOrders.sendAll(List.of(new Order("o-1", 1, "fragile"), new Order("o-2", 2, null)));
        Worker worker = newApp.worker().start();

        await().atMost(WAIT).until(() -> seen.size() == 2);
        worker.stop();
        // Removed component dropped; added ones at their defaults (null, or 0 for a primitive).
        assertThat(seen).containsExactlyInAnyOrder(v2("o-1", 1, null, null, 0), v2("o-2", 2, null, null, 0));
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void a_worker_with_the_older_record_reads_events_written_with_the_new_one(TransportKind transport) {
        String name = AvroApps.uniqueName("evolve");
        App newApp = apps.app(transport, name);
        App oldApp = apps.app(transport, name);
        Stream<io.runnel.serde.avro.v2.Order> newOrders = newApp.stream("orders", io.runnel.serde.avro.v2.Order.class, "id");
        Stream<Order> oldOrders = oldApp.stream("orders", Order.class, Order::id);
        List<Order> seen = collect(oldApp, oldOrders);

        newOrders.sendAll(List.of(v2("o-1", 1, "9.99", List.of("gift"), 3), v2("o-2", 2, null, null, 0)));
        Worker worker = oldApp.worker().start();

        await().atMost(WAIT).until(() -> seen.size() == 2);
        worker.stop();
        // Components the old record lacks are skipped; the one the new record dropped reads as null.
        assertThat(seen).containsExactlyInAnyOrder(new Order("o-1", 1, null), new Order("o-2", 2, null));
    }

    @ParameterizedTest
    @EnumSource(TransportKind.class)
    void each_writer_schema_is_stored_once_under_a_content_addressed_key(TransportKind transport) {
        String name = AvroApps.uniqueName("once");
        App first = apps.app(transport, name);
        App second = apps.app(transport, name);
        App newer = apps.app(transport, name);
        Stream<Order> a = first.stream("orders", Order.class, Order::id);
        Stream<Order> b = second.stream("orders", Order.class, Order::id);
        Stream<io.runnel.serde.avro.v2.Order> c = newer.stream("orders", io.runnel.serde.avro.v2.Order.class, "id");

        for (int i = 0; i < 20; i++) {
            a.send(new Order("a" + i, i, null));
            b.send(new Order("b" + i, i, "n"));
        }
        c.sendAll(List.of(v2("c", 1, "1.0", null, 1), v2("d", 2, null, List.of(), 2)));

        Transport raw = apps.raw(transport, name);
        String v1Key = schemaKey(name, Order.class);
        String v2Key = schemaKey(name, io.runnel.serde.avro.v2.Order.class);
        assertThat(v1Key).isNotEqualTo(v2Key).startsWith("__schema:" + name + ".");
        // The value is the schema's JSON, defaults and logical types included.
        assertThat(raw.get(v1Key)).contains(AvroSerializer.schemaOf(Order.class).toString());
        assertThat(raw.get(v2Key)).contains(AvroSerializer.schemaOf(io.runnel.serde.avro.v2.Order.class).toString());
        assertThat(raw.timeToLive(v1Key)).isEmpty();
        if (transport.isRedis()) {
            @SuppressWarnings("unchecked")
            List<Object> keys = (List<Object>) redis.server().call("KEYS", "__schema:*");
            assertThat(keys).containsExactlyInAnyOrder(v1Key, v2Key);
        }
    }

    /** Deflate, written against runnel-api alone: compression wraps the Avro payload, schemas are untouched. */
    static final class DeflateCompressor implements Compressor {
        @Override
        public String name() {
            return "deflate";
        }

        @Override
        public byte[] compress(byte[] bytes) {
            Deflater deflater = new Deflater();
            try {
                deflater.setInput(bytes);
                deflater.finish();
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[256];
                while (!deflater.finished()) {
                    out.write(buffer, 0, deflater.deflate(buffer));
                }
                return out.toByteArray();
            } finally {
                deflater.end();
            }
        }

        @Override
        public byte[] decompress(byte[] bytes) {
            Inflater inflater = new Inflater();
            try {
                inflater.setInput(bytes);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[256];
                while (!inflater.finished()) {
                    int n = inflater.inflate(buffer);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new SerializationException("truncated deflate payload");
                    }
                    out.write(buffer, 0, n);
                }
                return out.toByteArray();
            } catch (DataFormatException e) {
                throw new SerializationException("corrupt deflate payload", e);
            } finally {
                inflater.end();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = TransportKind.class, names = {"LETTUCE", "MEMORY"})
    void compressed_avro_events_evolve_like_uncompressed_ones(TransportKind transport) {
        String name = AvroApps.uniqueName("deflate");
        App oldApp = apps.app(transport, name);
        App newApp = apps.app(transport, name);
        Stream<Order> oldOrders = oldApp.stream("orders", Order.class, Order::id, o -> o.compressor(new DeflateCompressor()));
        Stream<io.runnel.serde.avro.v2.Order> newOrders = newApp.stream("orders", io.runnel.serde.avro.v2.Order.class,
                io.runnel.serde.avro.v2.Order::id, o -> o.compressor(new DeflateCompressor()));
        List<io.runnel.serde.avro.v2.Order> seen = collect(newApp, newOrders);

        oldOrders.send(new Order("o-1", 1, "fragile"));
        Worker worker = newApp.worker().start();

        await().atMost(WAIT).until(() -> seen.size() == 1);
        worker.stop();
        assertThat(seen).containsExactly(v2("o-1", 1, null, null, 0));
        Transport raw = apps.raw(transport, name);
        byte[] data = raw.range(oldOrders.partitionKey(oldOrders.partitionOf(new Order("o-1", 0, null))), "-", "+", 1)
                .get(0).fields().get("data");
        assertThat(new DeflateCompressor().decompress(data)).startsWith(0xC3, 0x01);
    }

    // ------------------------------------------------------------------ corrupt events

    /** A corrupt payload for an order with the given key, and what its dead letter's error says. */
    record Corruption(String label, Function<byte[], byte[]> corrupt, String expected) {
        @Override
        public String toString() {
            return label;
        }
    }

    static List<Arguments> corruptions() {
        Corruption unknownFingerprint = new Corruption("unknown fingerprint", good -> {
            byte[] bytes = good.clone();
            ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(0x0123456789abcdefL);
            return bytes;
        }, "0123456789abcdef");
        Corruption truncated = new Corruption("truncated body", good -> Arrays.copyOf(good, good.length - 2),
                "corrupt payload");
        Corruption notAvro = new Corruption("not Avro", good -> "{\"id\":\"bad\"}".getBytes(StandardCharsets.UTF_8),
                "not Avro single-object encoding");
        return List.of(
                Arguments.of(TransportKind.LETTUCE, unknownFingerprint),
                Arguments.of(TransportKind.LETTUCE, truncated),
                Arguments.of(TransportKind.LETTUCE, notAvro),
                Arguments.of(TransportKind.JEDIS, truncated),
                Arguments.of(TransportKind.MEMORY, unknownFingerprint));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("corruptions")
    void a_corrupt_event_under_quarantine_poisons_only_its_partition_and_the_worker_stays_alive(
            TransportKind transport, Corruption corruption) {
        String name = AvroApps.uniqueName("corrupt");
        App app = apps.app(transport, name);
        Stream<Order> orders = app.stream("orders", Order.class, Order::id);
        List<Order> seen = new CopyOnWriteArrayList<>();
        app.processor(orders, "proc", o -> o.exceptionPolicy(ExceptionPolicy.QUARANTINE).deadLetters(),
                events -> events.records().forEach(seen::add));
        int bad = orders.partitionOf(new Order("bad", 0, null));
        String good = goodKeyOnOtherPartition(orders, bad);
        Transport raw = apps.raw(transport, name);
        byte[] valid = new AvroSerializer().serialize(RecordType.of(Order.class), new Order("bad", 0, "secret-note"));

        orders.send(new Order("bad", 1, null));
        raw.append(new Append(orders.partitionKey(bad), null, Map.of("data", corruption.corrupt().apply(valid)), 0));
        orders.send(new Order("bad", 2, null));
        orders.send(new Order(good, 1, null));
        Worker worker = app.worker().start();

        await().atMost(WAIT).until(() -> worker.poisonedPartitions("proc").contains(bad));
        await().atMost(WAIT).until(() -> seen.contains(new Order(good, 1, null)));
        orders.send(new Order(good, 2, null));
        await().atMost(WAIT).until(() -> seen.contains(new Order(good, 2, null)));
        assertThat(worker.failure()).isEmpty();
        assertThat(worker.poisonedPartitions("proc")).containsExactly(bad);
        assertThat(seen).containsExactlyInAnyOrder(new Order("bad", 1, null), new Order(good, 1, null), new Order(good, 2, null));
        StreamEntry letter = raw.range(orders.deadLetters().partitionKey(0), "-", "+", 10).get(0);
        String error = new String(letter.fields().get("dead_error"), StandardCharsets.UTF_8);
        assertThat(error).contains("SerializationException").contains("Order").contains(corruption.expected())
                .doesNotContain("secret-note");
    }

    private static String goodKeyOnOtherPartition(Stream<Order> orders, int bad) {
        for (int i = 0; ; i++) {
            if (orders.partitionOf(new Order("good-" + i, 0, null)) != bad) {
                return "good-" + i;
            }
        }
    }

    // ------------------------------------------------------------------ Avro's own record classes

    @Test
    void specific_and_generic_records_stream_through_redis() {
        String name = AvroApps.uniqueName("classes");
        App app = apps.app(TransportKind.LETTUCE, name);
        Stream<Payment> payments = app.stream("payments", Payment.class, p -> p.getId());
        Schema noteSchema = SchemaBuilder.record("Note").fields().requiredString("id").requiredLong("at").endRecord();
        Stream<GenericRecord> notes = app.stream("notes", GenericRecord.class, r -> r.get("id").toString(),
                o -> o.serializer(new AvroSerializer(noteSchema)));
        List<Payment> seenPayments = collect(app, payments);
        List<GenericRecord> seenNotes = new CopyOnWriteArrayList<>();
        app.processor(notes, "notes", events -> events.records().forEach(seenNotes::add));

        Payment payment = SpecificAndGenericRecordTest.payment();
        payments.send(payment);
        GenericRecord note = new GenericData.Record(noteSchema);
        note.put("id", "n-1");
        note.put("at", 42L);
        notes.send(note);
        Worker worker = app.worker().start();

        await().atMost(WAIT).until(() -> seenPayments.size() == 1 && seenNotes.size() == 1);
        worker.stop();
        assertThat(seenPayments).containsExactly(payment);
        assertThat(seenNotes.get(0).get("id")).hasToString("n-1");
        assertThat(seenNotes.get(0).get("at")).isEqualTo(42L);
        assertThat(seenNotes.get(0).getSchema()).isEqualTo(noteSchema);
    }
}
