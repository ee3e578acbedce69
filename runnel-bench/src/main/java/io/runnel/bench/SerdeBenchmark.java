// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import io.runnel.api.Primitive;
import io.runnel.api.RecordType;
import io.runnel.engine.App;
import io.runnel.engine.BenchAccess;
import io.runnel.engine.Stream;
import io.runnel.serde.avro.AvroSerializer;
import io.runnel.serde.json.JsonSerializer;
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
import java.util.function.Function;

/**
 * Serialization of the benchmark {@link Order}: through Runnel's {@link JsonSerializer} and
 * {@link AvroSerializer} alone (Avro: single-object encoding, schema cached in the process), and through a stream's record codec (what {@code send} and {@code records()} really
 * call: serializer plus the {@code data} field map) for JSON and for a {@code @Primitive}
 * record, whose components map to native stream fields without a serializer.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
public class SerdeBenchmark {

    private JsonSerializer json;
    private RecordType<Order> type;
    private Order order;
    private byte[] bytes;
    private RecordType<EpochOrder> epochType;
    private byte[] epochBytes;

    /** {@link Order} with the timestamp as epoch millis instead of an {@code Instant}: isolates java.time parsing. */
    public record EpochOrder(long id, String customer, double amount, long atMillis) {}

    /** The same fields as a primitive record: one stream field per component, as decimal text. */
    @Primitive
    public record PrimitiveOrder(long id, String customer, double amount, long atMillis) {}

    private AvroSerializer avro;
    private byte[] avroBytes;
    private App app;
    private Function<Order, Map<String, byte[]>> jsonEncode;
    private Function<Map<String, byte[]>, Order> jsonDecode;
    private Map<String, byte[]> jsonFields;
    private Function<PrimitiveOrder, Map<String, byte[]>> primitiveEncode;
    private Function<Map<String, byte[]>, PrimitiveOrder> primitiveDecode;
    private PrimitiveOrder primitiveOrder;
    private Map<String, byte[]> primitiveFields;

    @Setup
    public void setup() {
        json = new JsonSerializer();
        type = RecordType.of(Order.class);
        order = Order.sample(123_456);
        bytes = json.serialize(type, order);
        epochType = RecordType.of(EpochOrder.class);
        epochBytes = json.serialize(epochType, new EpochOrder(order.id(), order.customer(), order.amount(),
                order.at().toEpochMilli()));

        avro = new AvroSerializer(); // not attached to an app: writer schemas stay in this process
        avroBytes = avro.serialize(type, order);

        app = App.builder("serde").environment(Map.of()).redisUrl("memory://serde").setting("transport", "memory").build();
        Stream<Order> orders = app.stream("orders", Order.class, Order::id);
        jsonEncode = BenchAccess.encoder(orders);
        jsonDecode = BenchAccess.decoder(orders);
        jsonFields = jsonEncode.apply(order);
        Stream<PrimitiveOrder> primitive = app.stream("primitive", PrimitiveOrder.class, PrimitiveOrder::id);
        primitiveEncode = BenchAccess.encoder(primitive);
        primitiveDecode = BenchAccess.decoder(primitive);
        primitiveOrder = new PrimitiveOrder(order.id(), order.customer(), order.amount(), order.at().toEpochMilli());
        primitiveFields = primitiveEncode.apply(primitiveOrder);
    }

    @TearDown
    public void close() {
        app.close();
    }

    @Benchmark
    public byte[] jsonSerialize() {
        return json.serialize(type, order);
    }

    @Benchmark
    public Order jsonDeserialize() {
        return json.deserialize(type, bytes);
    }

    @Benchmark
    public EpochOrder jsonDeserializeEpochMillis() {
        return json.deserialize(epochType, epochBytes);
    }

    @Benchmark
    public byte[] avroSerialize() {
        return avro.serialize(type, order);
    }

    @Benchmark
    public Order avroDeserialize() {
        return avro.deserialize(type, avroBytes);
    }

    @Benchmark
    public Map<String, byte[]> codecJsonEncode() {
        return jsonEncode.apply(order);
    }

    @Benchmark
    public Order codecJsonDecode() {
        return jsonDecode.apply(jsonFields);
    }

    @Benchmark
    public Map<String, byte[]> codecPrimitiveEncode() {
        return primitiveEncode.apply(primitiveOrder);
    }

    @Benchmark
    public PrimitiveOrder codecPrimitiveDecode() {
        return primitiveDecode.apply(primitiveFields);
    }
}
