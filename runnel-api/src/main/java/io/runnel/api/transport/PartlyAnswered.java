// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A call over several keys of which only some got an answer: on a Redis Cluster, the masters
 * that could be reached answered for their keys, and the others (down, or mid-failover) did
 * not. The answers it carries are as good as a full reply's; the rest are unknown, as after
 * any failed call.
 */
public class PartlyAnswered extends TransportException {
    /** Per key of the call, its answer, or null where there was none. */
    private final List<Boolean> answers;

    /**
     * A call some of whose servers answered.
     *
     * @param message the failure of the unanswered part, naming the server (never its credentials)
     * @param answers per key of the call, in order, its answer, or null where there was none
     * @param cause   the failure of the unanswered part
     */
    public PartlyAnswered(String message, List<Boolean> answers, Throwable cause) {
        super(message, cause);
        this.answers = Collections.unmodifiableList(new ArrayList<>(answers));
    }

    /**
     * The answer for the call's {@code i}th key, if its server answered.
     *
     * @param i the key's position in the call, from 0 to {@link #size()} - 1
     * @return the answer the call would have given for that key; empty when its server did
     *         not answer
     */
    public Optional<Boolean> answer(int i) {
        return Optional.ofNullable(answers.get(i));
    }

    /**
     * How many keys the call named.
     *
     * @return the number of keys, answered or not
     */
    public int size() {
        return answers.size();
    }
}
