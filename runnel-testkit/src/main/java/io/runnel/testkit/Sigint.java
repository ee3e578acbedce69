// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lets a child process that a test stops with SIGINT (Ctrl-C) actually receive it.
 *
 * <p>A shell that starts a command in the background without job control ({@code bash
 * .ci/run &}, {@code nohup mvn verify &}) starts it with SIGINT ignored, every descendant
 * inherits that, and a JVM never installs a handler for a signal it inherited as ignored:
 * a child worker would then sit through the test's SIGINT. That is the right behaviour
 * for a background job, so the child is started through GNU {@code env
 * --default-signal=INT}, which restores the default disposition (and thus the JVM's own
 * handling) just for it.
 */
public final class Sigint {
    private static final List<String> RESTORE = List.of("env", "--default-signal=INT");
    private static volatile Boolean supported;

    private Sigint() {
    }

    /**
     * {@code command} prefixed so that it starts with SIGINT at its default disposition;
     * the command unchanged where {@code env} has no {@code --default-signal} (not GNU
     * coreutils 8.31 or newer), where nothing can be done from Java.
     *
     * @param command a process's command line, program first
     * @return the command line to start instead
     */
    public static List<String> restoredFor(List<String> command) {
        if (!supported()) {
            return command;
        }
        List<String> prefixed = new ArrayList<>(RESTORE);
        prefixed.addAll(command);
        return prefixed;
    }

    private static boolean supported() {
        Boolean known = supported;
        if (known == null) {
            known = probe();
            supported = known;
        }
        return known;
    }

    private static boolean probe() {
        List<String> check = new ArrayList<>(RESTORE);
        check.add("true");
        try {
            Process p = new ProcessBuilder(check).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
