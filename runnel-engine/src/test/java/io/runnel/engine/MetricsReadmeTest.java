// SPDX-License-Identifier: Apache-2.0

package io.runnel.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;


/**
 * The metrics reference's table (docs/reference/metrics.md) is {@link RunnelMetric}, rendered: the names, kinds and words both
 * exporters use. A metric added or changed without the table fails here, and the message holds
 * the table to paste (or run with {@code -Drunnel.readme.write=true} to rewrite it in place).
 */
class MetricsReadmeTest {
    static final String HEADER = "| Dropwizard (JMX, CSV, SLF4J) | Prometheus (Micrometer) | exported as | what |";
    private static final Path PAGE = Path.of("..", "docs", "reference", "metrics.md");

    static List<String> expectedTable() {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        lines.add("|---|---|---|---|");
        for (RunnelMetric m : RunnelMetric.values()) {
            StringBuilder names = new StringBuilder();
            for (RunnelMetric.Scope at : m.exportedAt()) {
                names.append(names.isEmpty() ? "" : "; per partition ")
                        .append('`').append(m.prometheusName(at)).append("` (`").append(m.meterName(at)).append("`)");
            }
            lines.add("| `" + m.dropwizardName() + "` " + dropwizardKind(m) + " | " + names + " | " + exportedKind(m)
                    + (m.scope() == RunnelMetric.Scope.APP ? ", per app" : "") + " | " + m.help() + " |");
        }
        return lines;
    }

    private static String dropwizardKind(RunnelMetric m) {
        return switch (m.kind()) {
            case COUNTER -> "meter";
            case GAUGE -> "gauge";
            case TIMER -> m.recordedIn() == TimeUnit.NANOSECONDS ? "timer" : "histogram (ms)";
            case SUMMARY -> "histogram";
        };
    }

    private static String exportedKind(RunnelMetric m) {
        return switch (m.kind()) {
            case COUNTER -> "counter";
            case GAUGE -> "gauge";
            case TIMER -> "timer, seconds";
            case SUMMARY -> "summary";
        };
    }

    @Test
    void the_readme_metrics_table_is_the_catalog() throws IOException {
        DocsTable.check(PAGE, HEADER, expectedTable(), "RunnelMetric");
    }
}
