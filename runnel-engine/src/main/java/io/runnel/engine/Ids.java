// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Ids: random ones for workers and executors (128 bits, URL-safe base64 like the Python
 * original's), and the time part of stream entry ids.
 */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String random() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The milliseconds part of a stream entry id {@code <ms>-<seq>}, parsed without allocating. */
    static long millis(String streamId) {
        long ms = 0;
        for (int i = 0; i < streamId.length(); i++) {
            char c = streamId.charAt(i);
            if (c == '-') {
                break;
            }
            ms = ms * 10 + (c - '0');
        }
        return ms;
    }
}
