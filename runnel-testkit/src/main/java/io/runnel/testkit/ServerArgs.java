// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.util.List;

/** Reads options back out of {@code redis-server} command-line arguments. */
final class ServerArgs {
    private ServerArgs() {
    }

    /** The password the default user needs, so the testkit can still administer the server. */
    static String requirePass(List<String> args) {
        String value = null;
        for (int i = 0; i < args.size() - 1; i++) {
            // The last occurrence wins, as it does in redis-server.
            if (args.get(i).equalsIgnoreCase("--requirepass")) {
                value = args.get(i + 1);
            }
        }
        return value == null || value.isEmpty() ? null : value;
    }
}
