// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.jedis;

import io.runnel.api.transport.StreamEntry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Stream entries decoded from raw RESP2 replies keep their fields, in stored order, and nil stays empty. */
class RepliesTest {

    @Test
    void entries_keep_every_field_in_order_whether_one_several_or_none() {
        Object reply = Arrays.asList(
                List.of(bytes("1-0"), List.of(bytes("data"), bytes("a"))),
                List.of(bytes("1-1"), List.of(bytes("zeta"), bytes("z"), bytes("data"), bytes("b"), bytes("alpha"), bytes("x"))),
                Arrays.asList(bytes("1-2"), null), // trimmed since its delivery
                List.of(bytes("1-3"), List.of(bytes("données"), bytes("c"))));

        List<StreamEntry> entries = Replies.entries(reply);

        assertThat(entries).extracting(StreamEntry::id).containsExactly("1-0", "1-1", "1-2", "1-3");
        assertThat(entries.get(0).fields()).containsOnlyKeys("data");
        assertThat(entries.get(0).fields().get("data")).isEqualTo(bytes("a"));
        assertThat(entries.get(1).fields().keySet()).containsExactly("zeta", "data", "alpha");
        assertThat(entries.get(1).fields().get("data")).isEqualTo(bytes("b"));
        assertThat(entries.get(2).fields()).isEmpty();
        assertThat(entries.get(3).fields()).containsOnlyKeys("données");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
