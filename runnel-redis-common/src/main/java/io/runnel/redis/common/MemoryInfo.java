// SPDX-License-Identifier: Apache-2.0

package io.runnel.redis.common;

import io.runnel.api.transport.ServerMemory;

/** Reads {@code INFO memory} the same way for both Redis clients. */
public final class MemoryInfo {

    private MemoryInfo() {
    }

    /**
     * The server's memory from its {@code INFO memory} text; a field the server does not
     * report reads as 0 (or {@code unknown} for the policy).
     *
     * @param server the server, as the transport names it
     * @param info   the reply to {@code INFO memory}
     * @return its used memory, limit and policy
     */
    public static ServerMemory parse(String server, String info) {
        long used = 0;
        long max = 0;
        String policy = "unknown";
        for (String line : info.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String value = line.substring(colon + 1).trim();
            switch (line.substring(0, colon)) {
                case "used_memory" -> used = number(value);
                case "maxmemory" -> max = number(value);
                case "maxmemory_policy" -> policy = value;
                default -> {
                }
            }
        }
        return new ServerMemory(server, used, max, policy);
    }

    private static long number(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
