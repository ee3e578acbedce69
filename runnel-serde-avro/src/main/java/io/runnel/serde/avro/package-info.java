// SPDX-License-Identifier: Apache-2.0

/**
 * Avro serialization of structured records ({@link io.runnel.serde.avro.AvroSerializer}),
 * found by name {@code avro} through {@link java.util.ServiceLoader}: Java records with
 * schemas derived from them, Avro-generated {@code SpecificRecord}s and {@code GenericRecord}s,
 * in single-object encoding with writer schemas registered in Redis.
 */
package io.runnel.serde.avro;
