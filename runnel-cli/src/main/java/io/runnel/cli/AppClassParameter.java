// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

import picocli.CommandLine.Parameters;

/**
 * The {@code <AppClass>} parameter every command takes first, declared once and mixed into
 * each command with {@code @Mixin}.
 */
final class AppClassParameter {
    @Parameters(index = "0", paramLabel = "<AppClass>",
            description = "the app's class: it implements RunnelApp, or has a public static App app()")
    String name;
}
