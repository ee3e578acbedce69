// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import io.runnel.api.Serializer;
import io.runnel.api.TransportAware;
import io.runnel.api.transport.Transport;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A serializer a user writes against runnel-api alone, and the hook that hands plugins the connection. */
@Tag("redis")
class CustomSerializerTest extends RedisBackedTest {
    record Temperature(String sensor, double celsius) {
    }

    /** "sensor;celsius" as UTF-8; it also records the connection it was given. */
    static final class SemicolonSerializer implements Serializer, TransportAware {
        final List<Transport> attached = new CopyOnWriteArrayList<>();

        @Override
        public String name() {
            return "semicolon";
        }

        @Override
        public <T> byte[] serialize(RecordType<T> type, T value) {
            Temperature t = (Temperature) value;
            return (t.sensor() + ";" + t.celsius()).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public <T> T deserialize(RecordType<T> type, byte[] bytes) {
            String[] parts = new String(bytes, StandardCharsets.UTF_8).split(";");
            if (parts.length != 2) {
                throw new SerializationException("not sensor;celsius");
            }
            return type.construct(parts[0], Double.parseDouble(parts[1]));
        }

        @Override
        public void attach(Transport transport, String appName) {
            attached.add(transport);
        }
    }

    @Test
    void a_custom_serializer_round_trips_and_is_attached_to_the_connection_on_first_use() {
        SemicolonSerializer serializer = new SemicolonSerializer();
        App app = apps.app(TestApps.uniqueName("custom"));
        Stream<Temperature> temps = app.stream("temps", Temperature.class, Temperature::sensor, o -> o.serializer(serializer));
        assertThat(serializer.attached).as("defining a stream needs no connection").isEmpty();
        List<Temperature> seen = new CopyOnWriteArrayList<>();
        app.processor(temps, "reader", events -> events.records().forEach(seen::add));

        temps.send(new Temperature("kitchen", 21.5));
        Worker worker = app.worker().start();

        await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 1);
        worker.stop();
        assertThat(seen).containsExactly(new Temperature("kitchen", 21.5));
        assertThat(serializer.attached).containsOnly(app.transport());
        int p = temps.partitionOf(new Temperature("kitchen", 0));
        assertThat(new String(app.transport().range(temps.partitionKey(p), "-", "+", 1).get(0).fields().get("data"),
                StandardCharsets.UTF_8)).isEqualTo("kitchen;21.5");
    }
}
