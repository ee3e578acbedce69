// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Hasher;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Python runnel's {@code runnel.hashing.md5hash}, named {@code python}: a key goes to
 * partition {@code int(md5(repr(key).encode("utf-8")).hexdigest(), 16) % partition_count},
 * so a Java producer and a Python runnel consumer (or the reverse) agree on where each key
 * lives. Select it with {@code default_hasher=python}; the Python side must use
 * {@code RUNNEL_DEFAULT_HASHER=runnel.hashing.md5hash} (Python runnel's default is xxhash
 * when the {@code xxhash} package is installed, e.g. by {@code runnel[fast]}).
 *
 * <p>Only keys that are an {@code int} or a {@code str} in Python are accepted:
 * {@link Integer}, {@link Long}, {@link Short}, {@link Byte} and {@link BigInteger} (repr is
 * the decimal, {@code -42}), and {@link String} (repr as Python writes it: single quotes
 * unless the text holds a single quote and no double quote; backslash, the quote,
 * {@code \n}, {@code \r} and {@code \t} escaped; other non-printable characters as
 * <code>\xNN</code>, <code>&#92;uNNNN</code> or <code>\UNNNNNNNN</code>; printable non-ASCII kept as is).
 * Any other type is rejected with an {@link IllegalArgumentException} naming it, because
 * its Python {@code repr} cannot be known from Java.
 *
 * <p>"Printable" follows Python's {@code str.isprintable()}: every character except those of
 * the Unicode categories Other (Cc, Cf, Cs, Co, Cn) and Separator (Zs, Zl, Zp), the ASCII
 * space excepted. Java and Python each use their own Unicode version, so a character
 * assigned in one version and unassigned in the other may be escaped on one side only;
 * Python runnel itself has that property between Python versions. Keep such characters out
 * of partition keys.
 *
 * <p>Thread-safe. Slower than {@link Murmur3Hasher} (an MD5 and a 128-bit remainder per
 * event): use it when Python runnel shares the streams.
 */
public final class PythonHasher implements Hasher {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The constructor {@link java.util.ServiceLoader} calls; the hasher keeps no state. */
    public PythonHasher() {
    }

    @Override
    public String name() {
        return "python";
    }

    @Override
    public int partition(Object key, int partitionCount) {
        if (partitionCount < 1) {
            throw new IllegalArgumentException("partition count must be at least 1, got " + partitionCount);
        }
        byte[] digest = md5().digest(repr(key).getBytes(StandardCharsets.UTF_8));
        return new BigInteger(1, digest).mod(BigInteger.valueOf(partitionCount)).intValue();
    }

    /**
     * Python's {@code repr} of the key.
     *
     * @throws IllegalArgumentException when the key is neither an integral number nor a string
     */
    static String repr(Object key) {
        return switch (key) {
            case String s -> reprString(s);
            case Integer i -> Integer.toString(i);
            case Long l -> Long.toString(l);
            case Short s -> Short.toString(s);
            case Byte b -> Byte.toString(b);
            case BigInteger b -> b.toString();
            case null -> throw new IllegalArgumentException("hasher 'python' got a null partition key");
            default -> throw new IllegalArgumentException("hasher 'python' (Python runnel's md5 of repr) takes only "
                    + "int keys (Integer, Long, Short, Byte, BigInteger) and str keys (String), but got a "
                    + key.getClass().getName() + ": map the key to one of those in the stream's partition key function");
        };
    }

    /** CPython's {@code unicode_repr}. */
    static String reprString(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder b = new StringBuilder(s.length() + 2).append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                b.append('\\').append((char) c);
            } else if (c == '\t') {
                b.append("\\t");
            } else if (c == '\n') {
                b.append("\\n");
            } else if (c == '\r') {
                b.append("\\r");
            } else if (c < ' ' || c == 0x7f) {
                hex(b.append("\\x"), c, 2);
            } else if (c < 0x7f) {
                b.append((char) c);
            } else if (isPrintable(c)) {
                b.appendCodePoint(c);
            } else if (c <= 0xff) {
                hex(b.append("\\x"), c, 2);
            } else if (c <= 0xffff) {
                hex(b.append("\\u"), c, 4);
            } else {
                hex(b.append("\\U"), c, 8);
            }
        }
        return b.append(quote).toString();
    }

    /** Python's {@code str.isprintable()} for one non-ASCII code point. */
    private static boolean isPrintable(int codePoint) {
        return switch (Character.getType(codePoint)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    private static void hex(StringBuilder b, int value, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            b.append(HEX[(value >>> shift) & 0xf]);
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5, which hasher 'python' needs", e);
        }
    }

    @Override
    public String toString() {
        return "PythonHasher[md5 of repr]";
    }
}
