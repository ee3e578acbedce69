// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro.v2;

import java.math.BigDecimal;
import java.util.List;

/**
 * Version 2 of {@link io.runnel.serde.avro.v1.Order}: {@code note} removed; {@code price},
 * {@code tags} (nullable, default null) and {@code revision} (primitive, default 0) added.
 */
public record Order(String id, int quantity, BigDecimal price, List<String> tags, long revision) {
}
