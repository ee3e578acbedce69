// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.List;

/**
 * A durable append ({@link Transport#appendDurably}) reached the master, but fewer replicas
 * than asked confirmed it in time. The entries are in the stream; they may be lost if the
 * master fails before a replica has them. Sending again may append them twice, which
 * at-least-once delivery allows.
 */
public class NotReplicated extends TransportException {
    /** The fewest replicas that confirmed, over the masters written to. */
    private final int confirmed;
    /** The appended entries' ids, in append order. */
    private final List<String> ids;

    /**
     * An append that too few replicas confirmed.
     *
     * @param message   the failure, naming the server (never its credentials)
     * @param confirmed the fewest replicas that confirmed, over the masters written to
     * @param ids       the appended entries' ids, in append order
     */
    public NotReplicated(String message, int confirmed, List<String> ids) {
        super(message);
        this.confirmed = confirmed;
        this.ids = List.copyOf(ids);
    }

    /**
     * The fewest replicas that confirmed the appends, over the masters written to.
     *
     * @return a number of replicas, 0 or more and below the number asked for
     */
    public int confirmed() {
        return confirmed;
    }

    /**
     * The ids of the entries appended (on the master), in append order.
     *
     * @return the entries' ids
     */
    public List<String> ids() {
        return ids;
    }
}
