// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.List;

/**
 * What the threads around a partition tell its coordinator: the consumer, the fetcher and
 * the acker call these from their own threads. Each call only posts a signal (or, for
 * {@link #flowing}, writes a mark under the caller's own lease); what the executor owns is
 * changed by the coordinator alone, when it reads the signal.
 */
interface CoordinatorInbox {
    /**
     * The policy is HALT (or the processor is misconfigured): the partition is marked halted
     * for status views and the worker stops with {@code error}.
     */
    void halt(Lease lease, List<String> eventIds, Throwable error);

    /**
     * A delivery completed, the first since the partition's consumer started: its halted mark,
     * if any, is cleared. Runs on the caller's thread (the consumer's), so that a halt of the
     * same consumer, later, is marked after the clearing.
     */
    void flowing(Lease lease);

    /** The policy is QUARANTINE (or the partition's key cannot be read): the partition is poisoned. */
    void quarantine(Lease lease, Throwable error);

    /** The lease ended without the coordinator ending it: its deadline passed, or the server no longer holds its token. */
    void leaseLost(Lease lease, String why);

    /** A partition's consumer thread exited, or a read of a closed partition ended: a release may be complete. */
    void settled(Lease lease);

    /** The consumer group is missing on these stream keys (deleted streams): create it again. */
    void repairGroups(List<String> keys);
}
