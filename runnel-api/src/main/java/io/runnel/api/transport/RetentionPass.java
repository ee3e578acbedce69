// SPDX-License-Identifier: Apache-2.0

package io.runnel.api.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * One retention pass over one stream key ({@link Transport#retain}): what it may trim, in
 * this order, and where it keeps what it found lost.
 *
 * <ol>
 *   <li>{@code trimAcked}: entries below the oldest one any consumer group still needs (its
 *       oldest pending entry, else its last delivered one). A stream without groups keeps
 *       everything here.</li>
 *   <li>{@code maxAge}: entries older than this by stream-id time, needed or not.</li>
 *   <li>{@code maxLength}: the oldest entries beyond this many, needed or not.</li>
 * </ol>
 *
 * <p>After trimming, the pass finds per group how many entries were removed (by this pass,
 * by {@code MAXLEN} on append, or by anyone's XTRIM or XDEL) before the group read them, and
 * adds what it had not seen before to the group's total in {@code recordKey}, a hash (field
 * {@link #lostField}).
 *
 * @param key       the stream
 * @param recordKey the hash that keeps, per group, the losses found so far
 * @param trimAcked trim what every group is done with
 * @param maxAge    the oldest entry to keep, by age; zero for no limit
 * @param maxLength the most entries to keep; 0 for no limit
 */
public record RetentionPass(String key, String recordKey, boolean trimAcked, Duration maxAge, long maxLength) {

    /**
     * The record hash's field holding a group's total of lost entries, a decimal number.
     *
     * @param group the consumer group's name
     * @return the field's name
     */
    public static String lostField(String group) {
        return "lost:" + group;
    }

    /**
     * Checks the pass.
     *
     * @throws NullPointerException     if {@code key}, {@code recordKey} or {@code maxAge} is null
     * @throws IllegalArgumentException if {@code maxAge} or {@code maxLength} is negative
     */
    public RetentionPass {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(recordKey, "recordKey");
        Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
        }
        if (maxLength < 0) {
            throw new IllegalArgumentException("maxLength must not be negative: " + maxLength);
        }
    }
}
