// SPDX-License-Identifier: Apache-2.0

/**
 * The web console for operators ({@code io.runnel:runnel-console}): {@link io.runnel.console.Console}
 * serves it for an app; {@code runnel console} runs it from the command line.
 */
package io.runnel.console;
