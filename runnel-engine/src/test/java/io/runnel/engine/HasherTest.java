// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import io.runnel.api.Hasher;
import io.runnel.api.Misconfigured;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.runnel.engine.TestApps.Order;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pins both hashers with fixed vectors: a change in a key's encoding or in the hash moves
 * keys to other partitions, which silently breaks ordering for every deployed producer, so
 * it must break these tests first.
 *
 * <p>Murmur3 vectors: computed once with {@link Murmur3Hasher} and cross-checked with an
 * independent Python implementation of MurmurHash3_x86_32 (seed 0) over the same bytes.
 * Python vectors: computed with CPython 3.11.7 (Unicode 14.0), standard library only:
 * {@code int(hashlib.md5(repr(KEY).encode("utf-8")).hexdigest(), 16) % N}, with
 * {@code repr(KEY)} pinned alongside. Columns: partition for 1, 4, 16, 100 and 2^31-1
 * partitions (the last reveals nearly the whole hash).
 */
@Tag("redis")
class HasherTest extends RedisBackedTest {
    private static final int[] COUNTS = {1, 4, 16, 100, Integer.MAX_VALUE};

    static Stream<Arguments> murmur3Vectors() {
        return Stream.of(
                murmur(0, 0, 0, 12, 76, 1669671676),
                murmur(1, 0, 2, 14, 86, 1759100286),
                murmur(-1, 0, 0, 8, 12, 1651860712),
                murmur(42, 0, 3, 7, 27, 55192374),
                murmur(Integer.MAX_VALUE, 0, 3, 11, 55, 1980584202),
                murmur(Integer.MIN_VALUE, 0, 2, 14, 82, 1732718782),
                murmur(42L, 0, 3, 7, 27, 55192374),
                murmur(1234567890123L, 0, 1, 5, 25, 29553572),
                murmur(Long.MIN_VALUE, 0, 2, 2, 70, 292862370),
                murmur((short) 7, 0, 2, 10, 86, 2081706186),
                murmur((byte) -3, 0, 0, 8, 4, 1759292504),
                murmur("", 0, 0, 0, 0, 0),
                murmur("a", 0, 2, 2, 50, 1009084850),
                murmur("key-0", 0, 3, 15, 95, 1664612542),
                murmur("customer-42", 0, 1, 5, 49, 220234549),
                murmur("42", 0, 2, 6, 18, 1012442165),
                murmur("ünïcödé", 0, 0, 4, 56, 2069557956),
                murmur("日本語", 0, 3, 7, 83, 631534230),
                murmur("😀 emoji", 0, 2, 14, 86, 300550333),
                murmur("line\nbreak", 0, 3, 7, 55, 1293770902),
                murmur(UUID.fromString("123e4567-e89b-12d3-a456-426614174000"), 0, 2, 14, 86, 439536286),
                murmur(new UUID(0, 0), 0, 0, 4, 84, 380169684),
                murmur(new byte[] {1, 2, 3}, 0, 0, 4, 40, 13750787),
                murmur(BigInteger.valueOf(42), 0, 2, 6, 18, 1012442165));
    }

    static Stream<Arguments> pythonVectors() {
        return Stream.of(
                python(0, "0", 0, 2, 10, 50, 487964861),
                python(1, "1", 0, 3, 11, 11, 876922281),
                python(-1, "-1", 0, 0, 8, 92, 1399840101),
                python(42, "42", 0, 2, 6, 74, 801668441),
                python(-42, "-42", 0, 0, 12, 36, 617498194),
                python(Integer.MAX_VALUE, "2147483647", 0, 2, 10, 18, 150467944),
                python(Integer.MIN_VALUE, "-2147483648", 0, 3, 11, 67, 842919060),
                python(42L, "42", 0, 2, 6, 74, 801668441),
                python(Long.MAX_VALUE, "9223372036854775807", 0, 3, 7, 39, 1082871874),
                python(Long.MIN_VALUE, "-9223372036854775808", 0, 2, 2, 30, 1900322083),
                python((short) 7, "7", 0, 3, 3, 55, 883384302),
                python((byte) -3, "-3", 0, 2, 2, 78, 1279743939),
                python(new BigInteger("18446744073709551616"), "18446744073709551616", 0, 2, 10, 26, 1630677720),
                python(new BigInteger("-1000000000000000000000000000007"), "-1000000000000000000000000000007", 0, 0, 0, 44, 1665370746),
                python("", "''", 0, 2, 10, 86, 1467880839),
                python("a", "'a'", 0, 3, 7, 55, 1233924046),
                python("key-0", "'key-0'", 0, 1, 13, 69, 792318931),
                python("customer-42", "'customer-42'", 0, 2, 10, 30, 1665401501),
                python("42", "'42'", 0, 0, 4, 92, 1546712813),
                python("-1", "'-1'", 0, 2, 10, 70, 251204586),
                python("it's", "\"it's\"", 0, 1, 13, 61, 575401596),
                python("say \"hi\"", "'say \"hi\"'", 0, 3, 7, 79, 1437677678),
                python("both ' and \"", "'both \\' and \"'", 0, 0, 0, 36, 1424351661),
                python("back\\slash", "'back\\\\slash'", 0, 2, 14, 46, 39759619),
                python("line\nbreak", "'line\\nbreak'", 0, 3, 7, 35, 1966696949),
                python("tab\there", "'tab\\there'", 0, 2, 2, 90, 2139932599),
                python("cr\rlf", "'cr\\rlf'", 0, 1, 13, 69, 1402578819),
                python("bell\u0007", "'bell\\x07'", 0, 3, 7, 51, 1505664382),
                python("nul\u0000", "'nul\\x00'", 0, 3, 15, 51, 296662960),
                python("del\u007f", "'del\\x7f'", 0, 0, 8, 4, 1491512189),
                python("esc\u001b[31m", "'esc\\x1b[31m'", 0, 1, 9, 49, 2018308647),
                python("ünïcödé", "'ünïcödé'", 0, 2, 6, 18, 1280890830),
                python("日本語", "'日本語'", 0, 1, 5, 33, 1605458334),
                python("Ωμέγα", "'Ωμέγα'", 0, 2, 10, 42, 729450361),
                python("😀 emoji", "'😀 emoji'", 0, 0, 8, 60, 837468227),
                python("e\u0301", "'e\u0301'", 0, 1, 1, 85, 1557932481),
                python("\u00a0nbsp", "'\\xa0nbsp'", 0, 3, 11, 47, 1946274578),
                python("soft\u00adhyphen", "'soft\\xadhyphen'", 0, 3, 15, 83, 484685433),
                python("zero\u200bwidth", "'zero\\u200bwidth'", 0, 2, 14, 18, 1416542215),
                python("line\u2028sep", "'line\\u2028sep'", 0, 3, 7, 19, 1063381634),
                python("\u0085nel", "'\\x85nel'", 0, 1, 1, 93, 23387151),
                python("ideographic\u3000space", "'ideographic\\u3000space'", 0, 3, 15, 39, 1297497183),
                python("\ue000private", "'\\ue000private'", 0, 1, 9, 29, 576233011),
                python("\udb80\udc00plane15", "'\\U000f0000plane15'", 0, 2, 2, 2, 1440981895),
                python("\ud800lone", "'\\ud800lone'", 0, 2, 2, 94, 487178238),
                python("mixed 'single' and \"double\" \\ \n", "'mixed \\'single\\' and \"double\" \\\\ \\n'", 0, 1, 1, 97, 319229515),
                python("'", "\"'\"", 0, 3, 11, 95, 450603731),
                python("\"", "'\"'", 0, 0, 8, 60, 1192511941),
                python("\\", "'\\\\'", 0, 0, 4, 56, 1691516234));
    }

    private static Arguments murmur(Object key, int... partitions) {
        return Arguments.of(describe(key), key, partitions);
    }

    private static Arguments python(Object key, String repr, int... partitions) {
        return Arguments.of(describe(key), key, repr, partitions);
    }

    private static String describe(Object key) {
        String text = key instanceof byte[] b ? Arrays.toString(b) : String.valueOf(key);
        return key.getClass().getSimpleName() + " " + text.codePoints()
                .mapToObj(c -> c < 0x20 || c >= 0x7f && !Character.isLetterOrDigit(c) ? String.format("\\u%04x", c)
                        : Character.toString(c))
                .reduce("", String::concat);
    }

    private static int[] partitions(Hasher hasher, Object key) {
        return Arrays.stream(COUNTS).map(n -> hasher.partition(key, n)).toArray();
    }

    // ------------------------------------------------------------------ murmur3

    @ParameterizedTest(name = "{0}")
    @MethodSource("murmur3Vectors")
    void murmur3_routes_each_key_to_its_pinned_partition(String description, Object key, int[] expected) {
        assertThat(partitions(new Murmur3Hasher(), key)).as(description).containsExactly(expected);
    }

    @Test
    void murmur3_treats_every_integral_type_alike_and_strings_apart() {
        Murmur3Hasher h = new Murmur3Hasher();
        for (int n : COUNTS) {
            assertThat(h.partition(42, n)).isEqualTo(h.partition(42L, n)).isEqualTo(h.partition((short) 42, n))
                    .isEqualTo(h.partition((byte) 42, n));
        }
        assertThat(h.partition(42, Integer.MAX_VALUE)).isNotEqualTo(h.partition("42", Integer.MAX_VALUE));
    }

    @Test
    void murmur3_rejects_keys_whose_text_differs_between_jvms() {
        Murmur3Hasher h = new Murmur3Hasher();
        assertThatThrownBy(() -> h.partition(new Object(), 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object").hasMessageContaining("toString");
        assertThatThrownBy(() -> h.partition(new int[] {1}, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[I");
        Function<String, String> lambda = s -> s;
        assertThatThrownBy(() -> h.partition(lambda, 4)).isInstanceOf(IllegalArgumentException.class);
        // Types with their own toString are fine.
        enum Colour { RED }
        record Key(String region, int id) {
        }
        assertThat(h.partition(Colour.RED, 16)).isEqualTo(h.partition("RED", 16));
        assertThat(h.partition(new Key("eu", 7), 16)).isEqualTo(h.partition("Key[region=eu, id=7]", 16));
    }

    // ------------------------------------------------------------------ python

    @ParameterizedTest(name = "{0}")
    @MethodSource("pythonVectors")
    void python_hasher_matches_python_runnels_md5hash(String description, Object key, String repr, int[] expected) {
        assertThat(PythonHasher.repr(key)).as("repr of " + description).isEqualTo(repr);
        assertThat(partitions(new PythonHasher(), key)).as(description).containsExactly(expected);
    }

    @Test
    void python_hasher_rejects_keys_that_are_not_int_or_str_naming_the_type() {
        PythonHasher h = new PythonHasher();
        for (Object key : List.of(1.5, true, 'c', UUID.randomUUID(), new byte[] {1}, new Object(), List.of(1))) {
            assertThatThrownBy(() -> h.partition(key, 4)).as(key.getClass().getName())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(key.getClass().getName())
                    .hasMessageContaining("python");
        }
    }

    @Test
    void both_hashers_stay_in_range_for_any_key_and_count() {
        Random random = new Random(4);
        List<Object> keys = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            keys.add(random.nextLong());
            keys.add(random.ints(random.nextInt(12), 0, 0x2FFFF).collect(StringBuilder::new,
                    StringBuilder::appendCodePoint, StringBuilder::append).toString());
            keys.add(new BigInteger(130, random).negate());
        }
        for (Hasher h : List.of(new Murmur3Hasher(), new PythonHasher())) {
            for (Object key : keys) {
                int n = 1 + random.nextInt(1000);
                assertThat(h.partition(key, n)).isBetween(0, n - 1);
            }
        }
    }

    // ------------------------------------------------------------------ selection

    @Test
    void both_hashers_are_discoverable_and_selectable_by_name() {
        List<String> names = ServiceLoader.load(Hasher.class).stream().map(p -> p.get().name()).toList();
        assertThat(names).contains("murmur3", "python");
        assertThat(Plugins.hasher(null)).isInstanceOf(Murmur3Hasher.class);
        assertThat(Plugins.hasher("murmur3")).isInstanceOf(Murmur3Hasher.class);
        assertThat(Plugins.hasher("python")).isInstanceOf(PythonHasher.class);
        assertThat(Plugins.hasher("PYTHON")).isInstanceOf(PythonHasher.class);
    }

    @Test
    void default_hasher_python_routes_events_where_python_runnel_would() {
        App app = apps.app(TestApps.uniqueName("pyhash"), b -> b.setting("default_hasher", "python"));
        io.runnel.engine.Stream<Order> orders = app.stream("orders", Order.class, Order::key);

        orders.sendAll(List.of(new Order("user-1", 0), new Order("user-2", 0)));

        // Python: int(md5(repr("user-1").encode()).hexdigest(), 16) % 4 == 1, and 3 for "user-2".
        assertThat(orders.partitionOf(new Order("user-1", 0))).isEqualTo(1);
        assertThat(orders.partitionOf(new Order("user-2", 0))).isEqualTo(3);
        assertThat(app.transport().length(orders.partitionKey(1))).isEqualTo(1);
        assertThat(app.transport().length(orders.partitionKey(3))).isEqualTo(1);
        assertThat(app.transport().length(orders.partitionKey(0)) + app.transport().length(orders.partitionKey(2))).isZero();
    }

    @Test
    void an_unknown_default_hasher_fails_naming_the_setting() {
        App app = apps.app(TestApps.uniqueName("nohash"), b -> b.setting("default_hasher", "sha1024"));

        assertThatThrownBy(() -> app.stream("orders", Order.class, Order::key))
                .isInstanceOf(Misconfigured.class)
                .hasMessageContaining("default_hasher").hasMessageContaining("sha1024")
                .hasMessageContaining("python")
                .satisfies(e -> assertThat(e.getMessage().split("murmur3", -1)).hasSize(2)); // listed once
    }
}
