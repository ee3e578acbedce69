// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Settings that make workers in tests join, rebalance and stop in a fraction of the default
 * times: no join delay, short reads and acquisition pauses, a 2 s grace period and a 4 s
 * lock. Shared by every module's tests instead of a copy each; a fault test that needs other
 * timings states its own.
 */
public final class FastCoordination {
    private FastCoordination() {
    }

    /**
     * Setting name → value, for {@code App.Builder.setting}.
     *
     * @return a new mutable map of the fast settings, in a fixed order
     */
    public static Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("default_join_delay", "0");
        s.put("default_assignment_sleep", "100ms");
        // 15 s of retries: a loaded machine can take seconds to release a partition.
        s.put("default_assignment_attempts", "150");
        s.put("default_read_timeout", "200ms");
        s.put("default_grace_period", "2s");
        s.put("default_lock_expiry", "4s");
        s.put("leadership_poll_interval", "100ms");
        return s;
    }

    /**
     * The same as {@code RUNNEL_*} environment variables, for worker processes.
     *
     * @return a new mutable map of variable name ({@code RUNNEL_DEFAULT_JOIN_DELAY}...) to value
     */
    public static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        settings().forEach((name, value) -> env.put("RUNNEL_" + name.toUpperCase(Locale.ROOT), value));
        return env;
    }
}
