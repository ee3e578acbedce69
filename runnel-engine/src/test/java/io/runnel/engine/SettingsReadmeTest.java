// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings reference's table (docs/reference/settings.md) is the declarations, rendered: a setting added, removed or
 * changed without the table fails here, and the message holds the table to paste (or run
 * with {@code -Drunnel.readme.write=true} to rewrite it in place).
 */
class SettingsReadmeTest {
    static final String HEADER = "| setting | default | scope | meaning |";
    private static final Path PAGE = Path.of("..", "docs", "reference", "settings.md");

    /** The table the declarations give, one line per setting in declaration order. */
    static List<String> expectedTable() {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.add("|---|---|---|---|");
        for (Setting<?> s : Settings.declared()) {
            lines.add("| `" + s.name() + "` | " + shownDefault(s) + " | " + s.scope().name().toLowerCase(Locale.ROOT)
                    + " | " + s.documentation() + " |");
        }
        return lines;
    }

    private static String shownDefault(Setting<?> s) {
        if (s.defaultNote().isPresent()) {
            return s.defaultNote().get();
        }
        return "`" + s.defaultValue() + "`" + (s.unit().isEmpty() ? "" : " (" + s.unit() + ")");
    }

    @Test
    void the_readme_settings_table_is_the_declarations() throws IOException {
        DocsTable.check(PAGE, HEADER, expectedTable(), "the declarations in Settings");
    }

    @Test
    void every_setting_is_documented_with_a_default_that_parses() {
        for (Setting<?> s : Settings.declared()) {
            assertThat(s.documentation()).as(s.name()).isNotBlank().doesNotContain("|");
            s.parse(s.defaultValue()); // throws if a default is not a value of its own type
        }
        assertThat(Settings.declared()).extracting(Setting::name).doesNotHaveDuplicates();
    }
}
