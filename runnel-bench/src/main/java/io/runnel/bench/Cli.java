// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of a harness main class. Unknown options fail at once
 * (a typo must not silently fall back to a default and produce a misleading number).
 */
final class Cli {
    private final String usage;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> read = new LinkedHashSet<>();

    private Cli(String usage) {
        this.usage = usage;
    }

    /**
     * Parses {@code args}; prints {@code usage} and exits on {@code -h}/{@code --help}.
     *
     * @throws IllegalArgumentException on a value-less option
     */
    static Cli parse(String[] args, String usage) {
        Cli cli = new Cli(usage);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-h") || a.equals("--help")) {
                System.out.println(usage);
                System.exit(0);
            }
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got " + Arrays.toString(args) + "\n" + usage);
            }
            cli.values.put(a.substring(2), args[++i]);
        }
        return cli;
    }

    String string(String name, String def) {
        read.add(name);
        return values.getOrDefault(name, def);
    }

    int integer(String name, int def) {
        String v = string(name, null);
        return v == null ? def : Integer.parseInt(v.replace("_", ""));
    }

    /** A duration as {@code 250ms}, {@code 2s}, {@code 1m} or a plain number of seconds. */
    Duration duration(String name, Duration def) {
        String v = string(name, null);
        return v == null ? def : parseDuration(v);
    }

    List<String> list(String name, String def) {
        String v = string(name, def);
        List<String> out = new ArrayList<>();
        if (v != null) {
            for (String s : v.split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
        }
        return out;
    }

    /** Fails on any option no accessor asked for; call after reading all options. */
    void rejectUnknown() {
        for (String k : values.keySet()) {
            if (!read.contains(k)) {
                throw new IllegalArgumentException("unknown option --" + k + "\n" + usage);
            }
        }
    }

    static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase();
        if (s.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
        } else if (s.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * 1000));
        } else if (s.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(s));
    }
}
