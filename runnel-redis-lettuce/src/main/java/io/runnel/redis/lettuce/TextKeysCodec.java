// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.lettuce;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.ToByteBufEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 text keys and raw byte values, decoded with one copy each.
 *
 * <p>Lettuce's {@code StringCodec} decodes every key (stream ids and field names in each
 * reply entry, too) through a Netty buffer wrapper, a buffer view and a char buffer:
 * several objects per string, at two or three strings per event read. This copies the bytes
 * once and lets {@link String} decode them (ASCII, the usual case, stays one byte a char).
 * Encoding writes straight into Netty's buffer ({@link ToByteBufEncoder}), as
 * {@code StringCodec} does.
 */
final class TextKeysCodec implements RedisCodec<String, byte[]>, ToByteBufEncoder<String, byte[]> {
    static final TextKeysCodec INSTANCE = new TextKeysCodec();

    private static final byte[] EMPTY = new byte[0];

    private TextKeysCodec() {
    }

    @Override
    public String decodeKey(ByteBuffer bytes) {
        if (bytes == null) {
            return null;
        }
        if (bytes.hasArray()) {
            return new String(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining(),
                    StandardCharsets.UTF_8);
        }
        return new String(bytesOf(bytes), StandardCharsets.UTF_8);
    }

    @Override
    public byte[] decodeValue(ByteBuffer bytes) {
        return bytes == null ? null : bytesOf(bytes);
    }

    @Override
    public ByteBuffer encodeKey(String key) {
        return ByteBuffer.wrap(key == null ? EMPTY : key.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public ByteBuffer encodeValue(byte[] value) {
        return ByteBuffer.wrap(value == null ? EMPTY : value);
    }

    @Override
    public void encodeKey(String key, ByteBuf target) {
        if (key != null) {
            ByteBufUtil.writeUtf8(target, key);
        }
    }

    @Override
    public void encodeValue(byte[] value, ByteBuf target) {
        if (value != null) {
            target.writeBytes(value);
        }
    }

    @Override
    public int estimateSize(Object keyOrValue) {
        return switch (keyOrValue) {
            case String text -> ByteBufUtil.utf8MaxBytes(text);
            case byte[] raw -> raw.length;
            case null, default -> 0;
        };
    }

    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.remaining()];
        buffer.get(copy);
        return copy;
    }
}
