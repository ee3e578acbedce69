// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

/**
 * The user's processing code for one partition. In a worker it runs on its own virtual
 * thread per owned partition and usually loops over {@link Events#records()}; the loop ends
 * when the partition is revoked or the worker stops. (Under {@code ProcessorTestDriver},
 * artifact {@code runnel-test}, it runs on the test's thread and the loop ends when the
 * partition has nothing left; it is called again on the next run.)
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface ProcessorFunction<T> {
    /**
     * Processes a partition's events until they end.
     *
     * @param events the partition's events; iterate one of its views
     * @throws Exception a failure, handled by the processor's retry and exception policies
     */
    void process(Events<T> events) throws Exception;
}
