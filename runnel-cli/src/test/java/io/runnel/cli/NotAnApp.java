// SPDX-License-Identifier: Apache-2.0

package io.runnel.cli;

/** A class that exposes no app, for the command line to reject. */
public final class NotAnApp {
    public static String app() {
        return "not an App";
    }
}
