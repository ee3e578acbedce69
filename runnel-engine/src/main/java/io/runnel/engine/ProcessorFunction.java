package io.runnel.engine;

/**
 * The user's processing code for one partition. It runs on its own virtual thread per
 * owned partition and usually loops over {@link Events#records()}; the loop ends when the
 * partition is revoked or the worker stops.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface ProcessorFunction<T> {
    void process(Events<T> events) throws Exception;
}
