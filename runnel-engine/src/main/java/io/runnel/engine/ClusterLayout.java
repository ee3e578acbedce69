// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.nio.charset.StandardCharsets;

/**
 * Where a stream's partitions live on a Redis Cluster (issue 13), and the slot arithmetic
 * behind it.
 *
 * <p>On a cluster, a command may only name keys of one hash slot. The keys that a fenced
 * read, a fenced ack or a retention pass use together all belong to one partition: its
 * stream key, the partition lock of each processor, its poisoned and stuck marks and its
 * retention record. So every partition-scoped key carries the partition's hash tag, and one
 * partition's keys share one slot; keys of different partitions never need to meet in one
 * command. The other keys (membership, control stream, heartbeats, leader, epochs) are used
 * one at a time and keep their names.
 *
 * <p>The slot of partition {@code i} of {@code N} of stream {@code S} in app {@code A} is
 * {@code (CRC16("A.S") + floor(i × 16384 / N)) mod 16384}: a stream's partitions are spread
 * evenly over the whole slot space, starting at a point that depends on the stream, so each
 * master of a cluster whose slots are split evenly (what {@code redis-cli --cluster create}
 * does) holds N / masters of them, give or take one, and streams with few partitions do not
 * all start on the first master. The tag is the shortest decimal number whose slot is that
 * slot ({@link #tagForSlot}), so it is short and any client computes the same.
 *
 * <p>Python runnel has no cluster support; on a single Redis the keys are Python's and carry
 * no tag.
 */
final class ClusterLayout {
    /** Redis Cluster's number of hash slots. */
    static final int SLOTS = 16384;
    /** TAGS[slot]: the shortest decimal number whose CRC16 falls in that slot; filled once. */
    private static final String[] TAGS = tagTable();

    private ClusterLayout() {
    }

    /** The slot of partition {@code partition} of {@code partitionCount} of a stream. */
    static int partitionSlot(String app, String stream, int partition, int partitionCount) {
        int base = crc16((app + "." + stream).getBytes(StandardCharsets.UTF_8)) % SLOTS;
        long offset = (long) partition * SLOTS / partitionCount;
        return (int) ((base + offset) % SLOTS);
    }

    /** The hash tag, braces included, that puts a key in the partition's slot. */
    static String partitionTag(String app, String stream, int partition, int partitionCount) {
        return "{" + tagForSlot(partitionSlot(app, stream, partition, partitionCount)) + "}";
    }

    /** The shortest decimal number whose slot is {@code slot}. */
    static String tagForSlot(int slot) {
        return TAGS[slot];
    }

    /** A key's slot as Redis computes it: CRC16 of the hash tag if the key has one, else of the whole key. */
    static int slot(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        int open = indexOf(bytes, (byte) '{', 0);
        if (open >= 0) {
            int close = indexOf(bytes, (byte) '}', open + 1);
            if (close > open + 1) { // "{}" is not a tag: then the whole key counts
                return crc16(bytes, open + 1, close) % SLOTS;
            }
        }
        return crc16(bytes) % SLOTS;
    }

    private static String[] tagTable() {
        String[] tags = new String[SLOTS];
        int filled = 0;
        for (long n = 0; filled < SLOTS; n++) {
            String candidate = Long.toString(n);
            int s = crc16(candidate.getBytes(StandardCharsets.US_ASCII)) % SLOTS;
            if (tags[s] == null) {
                tags[s] = candidate;
                filled++;
            }
        }
        return tags;
    }

    private static int indexOf(byte[] bytes, byte b, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int crc16(byte[] bytes) {
        return crc16(bytes, 0, bytes.length);
    }

    /** CRC16-CCITT (XMODEM: polynomial 0x1021, initial value 0), the one Redis Cluster uses. */
    private static int crc16(byte[] bytes, int from, int to) {
        int crc = 0;
        for (int i = from; i < to; i++) {
            crc ^= (bytes[i] & 0xff) << 8;
            for (int bit = 0; bit < 8; bit++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }
}
