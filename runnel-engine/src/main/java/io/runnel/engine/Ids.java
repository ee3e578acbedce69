package io.runnel.engine;

import java.security.SecureRandom;
import java.util.Base64;

/** Random ids for workers and executors: 128 bits, URL-safe base64 like the Python original's. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    static String random() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
