// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import com.google.common.hash.Hashing;
import io.runnel.api.Hasher;

import java.nio.charset.StandardCharsets;

/**
 * The default hasher: 32-bit Murmur3 over a canonical encoding of the key, so every JVM,
 * version and machine routes a key to the same partition. Integral numbers
 * ({@code int}, {@code long}, ...) are encoded as an 8-byte big-endian long, so
 * {@code 42} and {@code 42L} agree; a {@code byte[]} as itself; every other key as the UTF-8
 * of its {@code toString()}. A key whose class does not override {@code toString()} (or an
 * array other than {@code byte[]}) is rejected with an {@link IllegalArgumentException}:
 * {@code Object.toString()} embeds the identity hash code, which differs between JVMs, so
 * every producer would route that key somewhere else.
 */
public final class Murmur3Hasher implements Hasher {

    /** Whether a class's {@code toString()} is its own rather than Object's identity-based one. */
    private static final ClassValue<Boolean> HAS_STABLE_TO_STRING = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            if (type.isArray()) {
                return false;
            }
            try {
                return type.getMethod("toString").getDeclaringClass() != Object.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
    };

    /** The constructor {@link java.util.ServiceLoader} calls; the hasher keeps no state. */
    public Murmur3Hasher() {
    }

    @Override
    public String name() {
        return "murmur3";
    }

    @Override
    public int partition(Object key, int partitionCount) {
        byte[] bytes = switch (key) {
            case Long l -> bigEndian(l);
            case Integer i -> bigEndian(i);
            case Short s -> bigEndian(s);
            case Byte b -> bigEndian(b);
            case byte[] raw -> raw;
            default -> {
                if (!HAS_STABLE_TO_STRING.get(key.getClass())) {
                    throw new IllegalArgumentException("hasher 'murmur3' cannot hash a partition key of type "
                            + key.getClass().getName() + ": it does not override toString(), so its text differs "
                            + "between JVMs; use a String, a number, a record, an enum or a UUID as the key");
                }
                yield key.toString().getBytes(StandardCharsets.UTF_8);
            }
        };
        return Math.floorMod(Hashing.murmur3_32_fixed().hashBytes(bytes).asInt(), partitionCount);
    }

    /** The eight bytes of {@code value}, most significant first (without a ByteBuffer per send). */
    private static byte[] bigEndian(long value) {
        byte[] bytes = new byte[8];
        for (int i = 7; i >= 0; i--) {
            bytes[i] = (byte) value;
            value >>>= 8;
        }
        return bytes;
    }
}
