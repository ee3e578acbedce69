// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

/**
 * The command line's exit codes. Scripts may rely on them, so they are documented in the
 * README and never renumbered.
 */
enum Exit {
    /** The command did what it was asked (a worker: it stopped on SIGTERM/SIGINT). */
    OK(0),
    /** A worker stopped with an error (a HALT policy, a failed rebalance), or an unexpected error. */
    FAILURE(1),
    /** Bad arguments or input: unknown option, stream or processor, invalid JSON, a record that does not match. */
    USAGE(2),
    /** The app cannot be had: class not found, not an app class, its factory or settings failed. */
    CONFIGURATION(3),
    /** Redis could not be reached or refused a command. */
    UNAVAILABLE(4);

    final int code;

    Exit(int code) {
        this.code = code;
    }
}
