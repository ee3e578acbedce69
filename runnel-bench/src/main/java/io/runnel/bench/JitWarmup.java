// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Decides when a run is warm: after a minimum time, once the JIT compilers have gone quiet.
 *
 * <p>On a 2-core machine, C2 compiling the engine's and the client's code took 50–70 % of a
 * core for 15–20 s after the load started; the worker, Redis and the producer then shared
 * what was left, and a fixed 5 s warm-up measured that compilation, not Runnel (p99 37 ms,
 * against 2.5 ms once compilation had settled). A benchmark of steady-state latency has to
 * wait for it, and report how long it waited.
 */
final class JitWarmup {
    /**
     * The window over which compilation must stay below {@link #QUIET_SHARE}. Long enough
     * to outlast the lulls between Lettuce's recompilations: with 2 s at 5 %, runs still
     * saw 2–5 s of compilation during a 30 s measurement.
     */
    static final Duration WINDOW = Duration.ofSeconds(5);
    /** Compilation below 2 % of one core over the window counts as quiet. */
    static final double QUIET_SHARE = 0.02;
    private static final long POLL_MILLIS = 250;

    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();

    /**
     * Total compilation time so far in milliseconds (summed over compiler threads), or -1
     * when the JVM does not report it.
     */
    long compileMillis() {
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /**
     * Waits at least {@code min}, then until compilation took less than 2 % of a core over
     * the last 5 s, or until {@code max} in all. The compiler is watched from the start, so a
     * JIT that has already been quiet for 5 s when {@code min} is reached ends the wait there.
     *
     * @return how long it waited
     */
    Duration await(Duration min, Duration max) throws InterruptedException {
        long start = System.nanoTime();
        if (compileMillis() < 0) {
            Thread.sleep(min.toMillis()); // no compiler to watch: the minimum is all there is
            return Duration.ofNanos(System.nanoTime() - start);
        }
        long[] history = new long[(int) (WINDOW.toMillis() / POLL_MILLIS) + 1];
        int filled = 0;
        long quietBudget = Math.round(WINDOW.toMillis() * QUIET_SHARE);
        while (true) {
            System.arraycopy(history, 1, history, 0, history.length - 1);
            history[history.length - 1] = compileMillis();
            filled = Math.min(filled + 1, history.length);
            long elapsed = System.nanoTime() - start;
            boolean quiet = filled == history.length && history[history.length - 1] - history[0] < quietBudget;
            if (elapsed >= max.toNanos() || (elapsed >= min.toNanos() && quiet)) {
                return Duration.ofNanos(elapsed);
            }
            Thread.sleep(POLL_MILLIS); // polling the JIT's counter, which has no notification
        }
    }
}
