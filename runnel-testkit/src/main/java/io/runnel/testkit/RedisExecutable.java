// SPDX-License-Identifier: Apache-2.0

package io.runnel.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Finds a {@code redis-server} binary on the PATH or in the usual install locations. */
final class RedisExecutable {
    private static final String NAME = "redis-server";

    private RedisExecutable() {
    }

    static Optional<Path> find() {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        // Test JVMs forked by build tools sometimes get a trimmed PATH; these are where
        // distribution packages and `make install` put the binary.
        dirs.add("/usr/bin");
        dirs.add("/usr/local/bin");
        for (String dir : dirs) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir, NAME);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
