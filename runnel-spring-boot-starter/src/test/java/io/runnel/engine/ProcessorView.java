// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.time.Duration;

/**
 * A test's view of a processor's resolved options, which the engine keeps package-private:
 * this class sits in the engine's package only on the starter's test classpath.
 */
public final class ProcessorView {
    private ProcessorView() {
    }

    /** What a processor resolved its options to. */
    public record Options(RetryPolicy retry, int prefetchCount, int poolSize, Duration maxProcessingTime,
                          io.runnel.api.ExceptionPolicy exceptionPolicy, int maxInFlight,
                          io.runnel.api.ProcessingGuarantee guarantee) {
    }

    public static Options of(App app, String processor) {
        Processor<?> p = app.processor(processor);
        return new Options(p.retry(), p.prefetchCount(), p.poolSize(), p.maxProcessingTime(), p.exceptionPolicy(),
                p.maxInFlight(), p.guarantee());
    }
}
