package io.runnel.engine;

import com.google.common.hash.Hashing;
import io.runnel.api.Hasher;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The default hasher: 32-bit Murmur3 over a canonical encoding of the key, so every JVM,
 * version and machine routes a key to the same partition. Integral numbers
 * ({@code int}, {@code long}, ...) are encoded as an 8-byte big-endian long, so
 * {@code 42} and {@code 42L} agree; every other key as the UTF-8 of its {@code toString()}.
 */
public final class Murmur3Hasher implements Hasher {

    @Override
    public String name() {
        return "murmur3";
    }

    @Override
    public int partition(Object key, int partitionCount) {
        byte[] bytes = switch (key) {
            case Long l -> ByteBuffer.allocate(8).putLong(l).array();
            case Integer i -> ByteBuffer.allocate(8).putLong(i).array();
            case Short s -> ByteBuffer.allocate(8).putLong(s).array();
            case Byte b -> ByteBuffer.allocate(8).putLong(b).array();
            case byte[] raw -> raw;
            default -> key.toString().getBytes(StandardCharsets.UTF_8);
        };
        return Math.floorMod(Hashing.murmur3_32_fixed().hashBytes(bytes).asInt(), partitionCount);
    }
}
