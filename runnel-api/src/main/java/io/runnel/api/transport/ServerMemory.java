// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.Locale;
import java.util.Objects;

/**
 * How full one server's memory is, as Redis's {@code INFO memory} reports it: on a Redis
 * Cluster there is one per master. When {@code usedBytes} is above a non-zero
 * {@code maxBytes} and the policy evicts nothing, the server refuses the commands that can
 * grow its memory ({@link ServerOutOfMemory}).
 *
 * @param server    the server as the transport names it: {@code host:port} for a cluster's
 *                  master, its connection URL (redacted) for a single server
 * @param usedBytes what it holds ({@code used_memory})
 * @param maxBytes  its limit ({@code maxmemory}); 0 for none
 * @param policy    what it does at the limit ({@code maxmemory_policy}), e.g. {@code noeviction}
 */
public record ServerMemory(String server, long usedBytes, long maxBytes, String policy) {
    /** Checks that the names are there. */
    public ServerMemory {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(policy, "policy");
    }

    /**
     * Whether the server has a limit and holds more than it: under {@code noeviction} (or with
     * nothing left to evict) it then refuses the writes that could grow its memory.
     *
     * @return whether {@code usedBytes} is above a non-zero {@code maxBytes}
     */
    public boolean full() {
        return maxBytes > 0 && usedBytes > maxBytes;
    }

    /**
     * The memory in words, for status lines.
     *
     * @return e.g. {@code 127.0.0.1:6379 used 1.2 MB of 2.0 MB (60 %), noeviction}, then
     *         {@code , over maxmemory} when {@link #full()}
     */
    public String describe() {
        if (maxBytes == 0) {
            return server + " used " + megabytes(usedBytes) + ", no maxmemory, " + policy;
        }
        return server + " used " + megabytes(usedBytes) + " of " + megabytes(maxBytes) + " ("
                + Math.round(100.0 * usedBytes / maxBytes) + " %), " + policy + (full() ? ", over maxmemory" : "");
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1_048_576.0);
    }
}
