// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The codec's keys and values come back as they were written, from heap and direct buffers alike. */
class TextKeysCodecTest {
    private final TextKeysCodec codec = TextKeysCodec.INSTANCE;

    @Test
    void keys_round_trip_as_utf8_text_from_heap_and_direct_buffers() {
        for (String key : new String[] {"__strm:shop.orders.3{4097}", "1733400000000-12", "commande-é-日本", ""}) {
            ByteBuf written = Unpooled.buffer();
            codec.encodeKey(key, written);
            assertThat(written.readableBytes()).isLessThanOrEqualTo(codec.estimateSize(key));
            byte[] bytes = new byte[written.readableBytes()];
            written.readBytes(bytes);
            assertThat(bytes).isEqualTo(key.getBytes(StandardCharsets.UTF_8));

            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 3);
            direct.put(new byte[] {9, 9}).put(bytes).put((byte) 9).flip().position(2).limit(2 + bytes.length);
            assertThat(codec.decodeKey(direct)).isEqualTo(key);
            ByteBuffer heapSlice = ByteBuffer.wrap(("xx" + key).getBytes(StandardCharsets.UTF_8)).position(2).slice();
            assertThat(codec.decodeKey(heapSlice)).isEqualTo(key);
            assertThat(codec.decodeKey(codec.encodeKey(key))).isEqualTo(key);
        }
    }

    @Test
    void values_come_back_byte_for_byte_and_a_missing_value_stays_missing() {
        byte[] value = {0, -1, 1, 127, -128, 'd'};
        ByteBuf written = Unpooled.buffer();
        codec.encodeValue(value, written);
        assertThat(codec.estimateSize(value)).isEqualTo(value.length);
        ByteBuffer direct = ByteBuffer.allocateDirect(value.length).put(value).flip();
        assertThat(codec.decodeValue(direct)).isEqualTo(value);
        assertThat(codec.decodeValue(codec.encodeValue(value))).isEqualTo(value);
        assertThat(written.readableBytes()).isEqualTo(value.length);
        assertThat(codec.decodeValue(null)).isNull();
        assertThat(codec.decodeKey(null)).isNull();
    }
}
