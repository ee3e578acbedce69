// SPDX-License-Identifier: Apache-2.0

/**
 * The contracts of Runnel: event typing ({@link io.runnel.api.RecordType}), the plugin
 * points ({@link io.runnel.api.Serializer}, {@link io.runnel.api.Compressor},
 * {@link io.runnel.api.Hasher}, {@link io.runnel.api.Middleware}), events, policies and
 * exceptions. Depends on the JDK only, so plugins can be written against it alone.
 */
package io.runnel.api;
