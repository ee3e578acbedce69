// SPDX-License-Identifier: Apache-2.0

/**
 * Testing Runnel processors: {@link io.runnel.test.ProcessorTestDriver} runs one processor of
 * an app on the test's thread, with a clock the test moves. Add {@code io.runnel:runnel-test}
 * in test scope.
 */
package io.runnel.test;
