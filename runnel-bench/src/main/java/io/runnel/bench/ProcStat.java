// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's CPU time, from Linux's /proc. */
final class ProcStat {
    /** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
    private static final double TICKS = 100.0;

    private ProcStat() {
    }

    /** User plus system CPU time of process {@code pid} so far, in seconds. */
    static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
