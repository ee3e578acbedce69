// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

/**
 * A failure the command line reports with one message and its exit code, without a stack
 * trace: the message is meant for the person at the terminal.
 */
final class CliFailure extends RuntimeException {
    final Exit exit;

    CliFailure(Exit exit, String message) {
        super(message);
        this.exit = exit;
    }

    static CliFailure usage(String message) {
        return new CliFailure(Exit.USAGE, message);
    }

    static CliFailure configuration(String message) {
        return new CliFailure(Exit.CONFIGURATION, message);
    }
}
