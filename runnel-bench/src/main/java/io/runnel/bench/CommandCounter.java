// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Counts the commands Redis servers executed between {@link #reset()} and {@link #total()},
 * from {@code INFO commandstats}, as the servers count them: the commands a script runs
 * count as well as the script's own call. The counter's own INFO and CONFIG calls are left
 * out.
 */
final class CommandCounter {
    /** One server: sends a command (as strings) and answers its reply. */
    private final List<Function<String[], Object>> servers = new ArrayList<>();

    /** Adds a server, reached through {@code call}. */
    CommandCounter add(Function<String[], Object> call) {
        servers.add(call);
        return this;
    }

    void reset() {
        for (Function<String[], Object> s : servers) {
            s.apply(new String[] {"CONFIG", "RESETSTAT"});
        }
    }

    long total() {
        return byCommand().values().stream().mapToLong(Long::longValue).sum();
    }

    /** Calls per command name (summed over the servers), the counter's own left out. */
    Map<String, Long> byCommand() {
        Map<String, Long> calls = new TreeMap<>();
        for (Function<String[], Object> s : servers) {
            for (String line : String.valueOf(s.apply(new String[] {"INFO", "commandstats"})).split("\r?\n")) {
                if (!line.startsWith("cmdstat_") || line.startsWith("cmdstat_info:") || line.startsWith("cmdstat_config")) {
                    continue;
                }
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                int at = line.indexOf("calls=") + "calls=".length();
                calls.merge(name, Long.parseLong(line.substring(at, line.indexOf(',', at))), Long::sum);
            }
        }
        return calls;
    }
}
