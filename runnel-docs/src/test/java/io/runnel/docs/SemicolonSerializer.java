// SPDX-License-Identifier: Apache-2.0

package io.runnel.docs;

import io.runnel.api.RecordType;
import io.runnel.api.SerializationException;
import java.nio.charset.StandardCharsets;

// tag::serializer[]
public final class SemicolonSerializer implements io.runnel.api.Serializer {
    public String name() { return "semicolon"; }

    public <T> byte[] serialize(RecordType<T> type, T value) {
        Temperature t = (Temperature) value;
        return (t.sensor() + ";" + t.celsius()).getBytes(StandardCharsets.UTF_8);
    }

    public <T> T deserialize(RecordType<T> type, byte[] bytes) {
        String[] parts = new String(bytes, StandardCharsets.UTF_8).split(";");
        if (parts.length != 2) throw new SerializationException("not sensor;celsius");
        return type.construct(parts[0], Double.parseDouble(parts[1]));
    }
}
// end::serializer[]
