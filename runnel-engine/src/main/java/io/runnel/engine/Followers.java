// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.util.Arrays;

/**
 * The listeners of one {@link Distribution}: copy-on-write, so that telling them costs the
 * recording thread one volatile read when there are none (the usual case: only an exporter
 * such as the Micrometer bridge follows).
 */
final class Followers {
    private static final Distribution.Listener[] NONE = new Distribution.Listener[0];

    private volatile Distribution.Listener[] listeners = NONE;

    synchronized void add(Distribution.Listener listener) {
        Distribution.Listener[] now = listeners;
        Distribution.Listener[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = listener;
        listeners = next;
    }

    synchronized void remove(Distribution.Listener listener) {
        Distribution.Listener[] now = listeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == listener) {
                Distribution.Listener[] next = new Distribution.Listener[now.length - 1];
                System.arraycopy(now, 0, next, 0, i);
                System.arraycopy(now, i + 1, next, i, now.length - i - 1);
                listeners = next;
                return;
            }
        }
    }

    /** Tells every listener of one value (in an array made only when someone listens). */
    void tell(long value) {
        Distribution.Listener[] now = listeners;
        if (now.length > 0) {
            long[] one = {value};
            for (Distribution.Listener l : now) {
                l.recorded(one, 1);
            }
        }
    }

    /** Tells every listener of {@code values[0..n)}. */
    void tell(long[] values, int n) {
        for (Distribution.Listener l : listeners) {
            l.recorded(values, n);
        }
    }
}
