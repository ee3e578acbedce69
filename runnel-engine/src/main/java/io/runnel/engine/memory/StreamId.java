// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine.memory;

/**
 * A Redis stream id, {@code <millis>-<sequence>}. Both parts are unsigned 64-bit numbers in
 * Redis, so they are compared and printed unsigned here too.
 */
record StreamId(long ms, long seq) implements Comparable<StreamId> {
    static final StreamId MIN = new StreamId(0, 0);
    static final StreamId MAX = new StreamId(-1L, -1L);

    /**
     * Parses {@code ms-seq} or just {@code ms}, taking {@code missingSeq} for the missing part
     * (Redis reads a bare {@code 5} as {@code 5-0} at the start of a range, {@code 5-max} at its end).
     */
    static StreamId parse(String text, long missingSeq) {
        int dash = text.indexOf('-');
        if (dash < 0) {
            return new StreamId(unsigned(text), missingSeq);
        }
        return new StreamId(unsigned(text.substring(0, dash)), unsigned(text.substring(dash + 1)));
    }

    /** Start of an XRANGE interval: {@code -}, {@code +}, an id, or {@code (id} to exclude it. */
    static StreamId rangeStart(String text) {
        if (text.equals("-")) {
            return MIN;
        }
        if (text.equals("+")) {
            return MAX;
        }
        if (text.length() > 1 && text.charAt(0) == '(') {
            StreamId excluded = parse(text.substring(1), 0);
            if (excluded.equals(MAX)) {
                throw new RedisError("ERR invalid start ID for the interval");
            }
            return excluded.next();
        }
        return parse(text, 0);
    }

    /** End of an XRANGE interval, the mirror of {@link #rangeStart(String)}. */
    static StreamId rangeEnd(String text) {
        if (text.equals("+")) {
            return MAX;
        }
        if (text.equals("-")) {
            return MIN;
        }
        if (text.length() > 1 && text.charAt(0) == '(') {
            StreamId excluded = parse(text.substring(1), -1L);
            if (excluded.equals(MIN)) {
                throw new RedisError("ERR invalid end ID for the interval");
            }
            return excluded.previous();
        }
        return parse(text, -1L);
    }

    /** The smallest id after this one; the caller rules out {@link #MAX}. */
    StreamId next() {
        return seq == -1L ? new StreamId(ms + 1, 0) : new StreamId(ms, seq + 1);
    }

    /** The largest id before this one; the caller rules out {@link #MIN}. */
    StreamId previous() {
        return seq == 0 ? new StreamId(ms - 1, -1L) : new StreamId(ms, seq - 1);
    }

    @Override
    public int compareTo(StreamId other) {
        int byMillis = Long.compareUnsigned(ms, other.ms);
        return byMillis != 0 ? byMillis : Long.compareUnsigned(seq, other.seq);
    }

    boolean isAfter(StreamId other) {
        return compareTo(other) > 0;
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }

    /** Digits only: Java would also take a leading {@code +}, Redis does not. */
    private static long unsigned(String digits) {
        if (digits.isEmpty() || digits.length() > 20) {
            throw RedisError.invalidStreamId();
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw RedisError.invalidStreamId();
            }
        }
        try {
            return Long.parseUnsignedLong(digits);
        } catch (NumberFormatException tooBig) {
            throw RedisError.invalidStreamId();
        }
    }
}
