// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Records covering every component type the Avro serializer supports. */
final class Records {
    private Records() {
    }

    enum Color { RED, GREEN, BLUE }

    record Primitives(boolean flag, byte b, short s, int i, long l, float f, double d) {
    }

    record Boxed(Boolean flag, Byte b, Short s, Integer i, Long l, Float f, Double d) {
    }

    record Texts(String text, UUID uuid, Color color) {
    }

    record Blob(String name, byte[] bytes) {
    }

    record Times(Instant at, LocalDate day) {
    }

    record Money(BigDecimal amount) {
    }

    record Item(String sku, int quantity, BigDecimal price) {
    }

    record Basket(Item first, List<Item> items, Map<String, Item> bySku, Set<String> tags, List<String> names,
                  Map<String, Long> counts, List<List<Integer>> matrix, Map<String, List<Color>> palettes) {
    }

    /** Refers to itself. */
    record Tree(String label, List<Tree> children) {
    }

    record Shop(String name, Address address) {
        record Address(String street, String city) {
        }
    }

    /** A second class named Address: cannot meet {@link Shop.Address} in one schema. */
    record Clash(Shop.Address home, Other.Address work) {
    }

    static final class Other {
        record Address(String line) {
        }
    }

    record WithObject(Object anything) {
    }

    record WithIntKeys(Map<Integer, String> byNumber) {
    }

    record Validated(String code) {
        Validated {
            if (code != null && code.length() != 3) {
                throw new IllegalArgumentException("code must have 3 letters");
            }
        }
    }

    record Positive(int value) {
    }
}
