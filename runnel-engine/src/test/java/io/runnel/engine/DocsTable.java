// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A Markdown table in the docs that is derived from code: the test fails when the page's table
 * differs from the one the code gives, and {@code -Drunnel.readme.write=true} writes it in.
 */
final class DocsTable {
    private DocsTable() {
    }

    /**
     * Checks the table of {@code page} that starts at the line {@code header}.
     *
     * @param source what the table is derived from, for the failure message
     */
    static void check(Path page, String header, List<String> expected, String source) throws IOException {
        List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
        int start = lines.indexOf(header);
        assertThat(start).as(page + " has a table headed " + header).isNotNegative();
        int end = start;
        while (end < lines.size() && lines.get(end).startsWith("|")) {
            end++;
        }
        if (lines.subList(start, end).equals(expected)) {
            return;
        }
        if (Boolean.getBoolean("runnel.readme.write")) {
            List<String> rewritten = new ArrayList<>(lines.subList(0, start));
            rewritten.addAll(expected);
            rewritten.addAll(lines.subList(end, lines.size()));
            Files.write(page, rewritten, StandardCharsets.UTF_8);
            return;
        }
        fail(page + "'s table differs from " + source + "; the table it gives "
                + "(or run with -Drunnel.readme.write=true):\n" + String.join("\n", expected));
    }
}
