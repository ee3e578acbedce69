package io.runnel.api;

/**
 * Compresses serialized payloads, chosen per stream. Implementations must be thread-safe;
 * a payload that fails to decompress throws {@link SerializationException}.
 */
public interface Compressor {

    /** Name used in settings, e.g. {@code gzip}. */
    String name();

    byte[] compress(byte[] bytes);

    byte[] decompress(byte[] bytes) throws SerializationException;
}
