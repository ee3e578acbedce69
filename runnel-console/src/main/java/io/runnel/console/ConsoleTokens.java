// SPDX-License-Identifier: Apache-2.0

package io.runnel.console;

import java.security.SecureRandom;
import java.util.Base64;

/** Tokens for consoles started without {@code console_token}. */
final class ConsoleTokens {
    private ConsoleTokens() {
    }

    /** 144 random bits, URL-safe text. */
    static String generate() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
