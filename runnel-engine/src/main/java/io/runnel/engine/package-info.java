// SPDX-License-Identifier: Apache-2.0

/**
 * The Runnel engine. What is public here is what an application uses; everything else in the
 * package (executors, fetching, acking, membership, locks, the Redis key names, the scripts'
 * callers) is package-private and may change in any release.
 *
 * <p>Public, and why:
 * <ul>
 *   <li>{@link io.runnel.engine.App} (and its {@code Builder}): where everything starts;
 *       {@link io.runnel.engine.RunnelApp} exposes one to the command line.
 *   <li>{@link io.runnel.engine.Stream}, {@link io.runnel.engine.StreamOptions},
 *       {@link io.runnel.engine.Retention}: defining streams and sending to them.
 *   <li>{@link io.runnel.engine.ProcessorFunction}, {@link io.runnel.engine.Events},
 *       {@link io.runnel.engine.ProcessorOptions}, {@link io.runnel.engine.RetryPolicy},
 *       {@link io.runnel.engine.RebalanceListener}: writing and configuring processors.
 *   <li>{@link io.runnel.engine.Task}: tasks, timers and crontabs.
 *   <li>{@link io.runnel.engine.Worker}: running them, and asking what a worker owns.
 *   <li>{@link io.runnel.engine.Settings}: reading the resolved settings (built only from
 *       the environment and the builder).
 *   <li>{@link io.runnel.engine.Status}, {@link io.runnel.engine.DeadLetters},
 *       {@link io.runnel.engine.ParkedKeys}: operating a running app.
 *   <li>{@link io.runnel.engine.AssignmentStrategy}: replacing how partitions are spread.
 *   <li>{@link io.runnel.engine.GzipCompressor}, {@link io.runnel.engine.Murmur3Hasher},
 *       {@link io.runnel.engine.PythonHasher}: built-in plugins a stream may name.
 *   <li>{@link io.runnel.engine.MetricsReporterProvider},
 *       {@link io.runnel.engine.Instrumentation}: SPIs that modules on the classpath provide.
 * </ul>
 * The test artifact {@code runnel-test}'s {@code io.runnel.test.ProcessorTestDriver} runs a
 * processor's partition consumers on a test's thread; it reaches those package-private parts
 * through {@code io.runnel.engine.internal}, which is not API either.
 *
 * <p>Two third-party types appear in public signatures on purpose: Guice {@code Module}s in
 * {@code App.Builder.module} (the way to replace engine parts such as the clock or the
 * assignment strategy) and Dropwizard's {@code MetricRegistry} in {@code App.metrics()} (the
 * metrics themselves, which reporters and bridges read).
 */
package io.runnel.engine;
