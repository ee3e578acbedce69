// SPDX-License-Identifier: Apache-2.0

package io.runnel.serde.avro.v1;

/** Version 1 of an evolving event: version 2 drops {@code note} and adds three components. */
public record Order(String id, int quantity, String note) {
}
