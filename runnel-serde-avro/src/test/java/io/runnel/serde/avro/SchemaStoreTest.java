// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import io.runnel.api.Misconfigured;
import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.transport.ConnectionUrl;
import io.runnel.api.transport.Transport;
import io.runnel.engine.memory.MemoryTransportProvider;
import io.runnel.serde.avro.v1.Order;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The schema store through a transport, here the in-memory one (the same contract as Redis):
 * one registration per schema and process, lookups by other processes, refusal of bad entries.
 */
class SchemaStoreTest {
    private static final String APP = "shop";
    private static final RecordType<Order> V1 = RecordType.of(Order.class);
    private static final RecordType<io.runnel.serde.avro.v2.Order> V2 = RecordType.of(io.runnel.serde.avro.v2.Order.class);

    private final String store = AvroApps.uniqueName("schemas");
    private final List<Transport> open = new ArrayList<>();

    /** A connection to the test's memory store that counts the calls made through it. */
    private final class Counting {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        final Transport transport;

        Counting() {
            Transport delegate = connect();
            transport = (Transport) Proxy.newProxyInstance(Transport.class.getClassLoader(), new Class<?>[] {Transport.class},
                    (proxy, method, args) -> {
                        calls.computeIfAbsent(method.getName(), k -> new AtomicInteger()).incrementAndGet();
                        try {
                            return method.invoke(delegate, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        int count(String method) {
            AtomicInteger n = calls.get(method);
            return n == null ? 0 : n.get();
        }
    }

    private Transport connect() {
        Transport t = new MemoryTransportProvider().open(ConnectionUrl.parse("memory://" + store));
        open.add(t);
        return t;
    }

    @AfterEach
    void close() {
        open.forEach(Transport::close);
    }

    private static String key(Class<?> type) {
        return SchemaStore.key(APP, AvroSerializer.fingerprint(AvroSerializer.schemaOf(type)));
    }

    @Test
    void a_writer_schema_is_stored_once_per_process_even_when_many_threads_send_at_once() throws Exception {
        Counting redis = new Counting();
        AvroSerializer serializer = new AvroSerializer();
        serializer.attach(redis.transport, APP);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> sends = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                sends.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                        serializer.serialize(V1, new Order("o" + thread + "-" + i, i, null));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> send : sends) {
                send.get();
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(redis.count("setIfAbsent")).isEqualTo(1);
        assertThat(redis.count("set")).isZero();
        String json = connect().get(key(Order.class)).orElseThrow();
        assertThat(json).isEqualTo(AvroSerializer.schemaOf(Order.class).toString());
        assertThat(AvroSerializer.fingerprint(new Schema.Parser().parse(json)))
                .isEqualTo(AvroSerializer.fingerprint(AvroSerializer.schemaOf(Order.class)));
        assertThat(key(Order.class)).matches("__schema:shop\\.[0-9a-f]{16}");
    }

    @Test
    void a_reader_that_never_saw_the_writer_schema_fetches_it_once_in_both_directions() {
        AvroSerializer oldProcess = new AvroSerializer();
        oldProcess.attach(connect(), APP);
        Counting newConnection = new Counting();
        AvroSerializer newProcess = new AvroSerializer();
        newProcess.attach(newConnection.transport, APP);

        byte[] fromOld = oldProcess.serialize(V1, new Order("o-1", 3, "fragile"));
        assertThat(newProcess.deserialize(V2, fromOld))
                .isEqualTo(new io.runnel.serde.avro.v2.Order("o-1", 3, null, null, 0));
        assertThat(newProcess.deserialize(V2, fromOld)).isNotNull();
        assertThat(newConnection.count("get")).as("fetched once, then cached").isEqualTo(1);

        byte[] fromNew = newProcess.serialize(V2, new io.runnel.serde.avro.v2.Order("o-2", 5, new BigDecimal("2.50"),
                List.of("gift"), 7));
        assertThat(oldProcess.deserialize(V1, fromNew)).isEqualTo(new Order("o-2", 5, null));
    }

    @Test
    void a_schema_is_found_without_redis_when_the_reader_has_it_itself() {
        Counting redis = new Counting();
        AvroSerializer reader = new AvroSerializer();
        reader.attach(redis.transport, APP);
        byte[] bytes = new AvroSerializer().serialize(V1, new Order("o", 1, "n"));

        assertThat(reader.deserialize(V1, bytes)).isEqualTo(new Order("o", 1, "n"));
        assertThat(redis.calls).isEmpty();
    }

    @Test
    void an_unknown_fingerprint_names_the_key_it_looked_for() {
        AvroSerializer reader = new AvroSerializer();
        reader.attach(connect(), APP);
        byte[] bytes = new AvroSerializer().serialize(V1, new Order("o", 1, "n"));

        String expectedKey = key(Order.class);
        assertThatThrownBy(() -> reader.deserialize(V2, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("cannot deserialize Order")
                .hasMessageContaining(expectedKey.substring(expectedKey.lastIndexOf('.') + 1))
                .hasMessageContaining("in Redis at " + expectedKey);
    }

    @Test
    void schemas_written_before_the_serializer_was_attached_are_stored_on_the_next_write() {
        AvroSerializer serializer = new AvroSerializer();
        serializer.serialize(V1, new Order("o", 1, null));
        Transport redis = connect();
        assertThat(redis.get(key(Order.class))).isEmpty();

        serializer.attach(redis, APP);
        serializer.serialize(V1, new Order("o", 2, null));

        assertThat(redis.get(key(Order.class))).isPresent();
    }

    @Test
    void an_entry_that_is_not_the_schema_its_key_names_is_refused() {
        Transport redis = connect();
        AvroSerializer writer = new AvroSerializer();
        byte[] bytes = writer.serialize(V1, new Order("o", 1, null));
        redis.set(key(Order.class), AvroSerializer.schemaOf(Records.Item.class).toString(), null);
        AvroSerializer reader = new AvroSerializer();
        reader.attach(redis, APP);

        assertThatThrownBy(() -> reader.deserialize(V2, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(key(Order.class))
                .hasMessageContaining("has fingerprint");

        redis.set(key(Order.class), "{not a schema", null);
        assertThatThrownBy(() -> reader.deserialize(V2, bytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("is not a valid schema");
    }

    @Test
    void an_instance_serves_one_app() {
        Transport redis = connect();
        AvroSerializer serializer = new AvroSerializer();
        serializer.attach(redis, APP);
        serializer.attach(redis, APP); // again, as each stream of the app does: fine

        assertThatThrownBy(() -> serializer.attach(redis, "other"))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("already attached to app shop");
        assertThatThrownBy(() -> serializer.attach(connect(), APP)).isInstanceOf(Misconfigured.class);
    }
}
