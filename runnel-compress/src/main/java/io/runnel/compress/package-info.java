// SPDX-License-Identifier: Apache-2.0

/**
 * Compressors for stream payloads beyond the engine's built-in gzip: {@link io.runnel.compress.Lz4Compressor}
 * ({@code lz4}, the LZ4 frame format Python runnel uses) and {@link io.runnel.compress.ZstdCompressor}
 * ({@code zstd}). Both are found through {@link java.util.ServiceLoader} once this jar is on the
 * classpath and picked by name with the {@code default_compressor} setting.
 */
package io.runnel.compress;
