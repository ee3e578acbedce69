// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine's streaming JSON: what Python runnel writes reads back, and what the engine writes is compact. */
class JsonTest {

    @Test
    @SuppressWarnings("unchecked")
    void a_membership_record_as_python_runnel_writes_it_reads_back() throws IOException {
        Map<String, Object> record = Json.readObject(
                "{\"e1\": {\"joined_at\": \"2024-01-02T03:04:05.123456\", \"partitions\": [0, 1, 2]}, \"e2\": {\"joined_at\": 17}}");

        assertThat(record).containsOnlyKeys("e1", "e2");
        assertThat(Json.text(Json.member(record.get("e1"), "joined_at"))).isEqualTo("2024-01-02T03:04:05.123456");
        assertThat((List<Object>) Json.list(Json.member(record.get("e1"), "partitions"))).containsExactly(0L, 1L, 2L);
        assertThat(Json.text(Json.member(record.get("e2"), "joined_at"))).isEqualTo("17");
        assertThat(Json.list(Json.member(record.get("e2"), "partitions"))).isEmpty();
    }

    @Test
    void values_write_as_compact_json_and_read_back_the_same() throws IOException {
        Map<String, Object> member = new LinkedHashMap<>();
        member.put("joined_at", "2024-01-02T03:04:05");
        member.put("partitions", List.of(3, 4));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("e\"1", member);
        root.put("flags", List.of(true, false, 1.5, "x"));
        root.put("none", null);

        String text = Json.write(root);

        assertThat(text).isEqualTo("{\"e\\\"1\":{\"joined_at\":\"2024-01-02T03:04:05\",\"partitions\":[3,4]},"
                + "\"flags\":[true,false,1.5,\"x\"],\"none\":null}");
        assertThat(Json.write(List.of("a", "b"))).isEqualTo("[\"a\",\"b\"]");
        assertThat(Json.readObject(text).get("flags")).isEqualTo(List.of(true, false, 1.5, "x"));
    }

    @Test
    void text_that_is_not_one_json_object_is_refused() {
        assertThatThrownBy(() -> Json.readObject("{\"a\": 1} {")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.readObject("[1, 2]")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.readObject("{\"a\": ")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Json.readObject("")).isInstanceOf(IOException.class);
    }
}
