// SPDX-License-Identifier: Apache-2.0

/**
 * JSON serialization of structured records with Jackson; the default serializer, found
 * by name {@code json} through {@link java.util.ServiceLoader}.
 */
package io.runnel.serde.json;
