// SPDX-License-Identifier: Apache-2.0

package io.runnel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws the latency distributions that {@link VsKafkaOps} measured as a PNG: latency (log
 * scale) by percentile, the percentile axis in "nines" (p50, p90, p99, p99.9, p99.99, max), one
 * line per system and rate, from the run whose p99 is the median of that system's runs.
 *
 * <pre>java -cp runnel-bench/target/benchmarks.jar io.runnel.bench.VsKafkaPlot
 *     [--in runnel-bench/target/results/vs-kafka-ops-results.json] [--out docs/operations/vs-kafka/latency.png]</pre>
 */
public final class VsKafkaPlot {
    static final String USAGE = "usage: VsKafkaPlot [--in FILE] [--out FILE.png]";
    /** Where the maximum is drawn on the nines axis: half a nine beyond p99.99. */
    private static final double MAX_X = 4.5;

    private VsKafkaPlot() {
    }

    public static void main(String[] args) throws IOException {
        Cli cli = Cli.parse(args, USAGE);
        Path in = Path.of(cli.string("in", "runnel-bench/target/results/vs-kafka-ops-results.json"));
        Path out = Path.of(cli.string("out", "docs/operations/vs-kafka/latency.png"));
        cli.rejectUnknown();
        System.setProperty("java.awt.headless", "true");
        JsonNode doc = Bench.JSON.readTree(in.toFile());

        Map<String, List<JsonNode>> runs = new LinkedHashMap<>();
        for (JsonNode row : doc.path("latency")) {
            runs.computeIfAbsent(row.path("system").asText() + " at " + "%,d".formatted(row.path("rate").asInt())
                    + " events/s", k -> new ArrayList<>()).add(row);
        }
        XYSeriesCollection lines = new XYSeriesCollection();
        for (Map.Entry<String, List<JsonNode>> e : runs.entrySet()) {
            List<JsonNode> sorted = new ArrayList<>(e.getValue());
            sorted.sort(Comparator.comparingLong(r -> r.path("latencyMicros").path("p99").asLong()));
            JsonNode median = sorted.get(sorted.size() / 2);
            XYSeries line = new XYSeries(e.getKey());
            for (double p : VsKafkaOps.PERCENTILES) {
                long micros = median.path("latencyMicros").path(VsKafkaOps.label(p)).asLong();
                line.add(p == 100 ? MAX_X : nines(p), Math.max(micros, 1) / 1000.0);
            }
            lines.addSeries(line);
        }

        NumberAxis percentile = new NumberAxis("percentile");
        percentile.setRange(0, MAX_X + 0.1);
        percentile.setTickUnit(new NumberTickUnit(0.5, new NinesFormat()));
        LogAxis latency = new LogAxis("latency, ms (log scale)");
        latency.setTickUnit(new NumberTickUnit(1)); // powers of ten
        latency.setNumberFormatOverride(new DecimalFormat("0.###"));
        latency.setMinorTickCount(9);
        latency.setMinorTickMarksVisible(true);
        latency.setSmallestValue(0.1);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        Color[] colours = {new Color(0xC0392B), new Color(0x2E86C1), new Color(0xE67E22), new Color(0x16A085),
                new Color(0x8E44AD), new Color(0x7F8C8D)};
        for (int i = 0; i < lines.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, colours[i % colours.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        XYPlot plot = new XYPlot(lines, percentile, latency, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("End-to-end latency, Runnel vs Kafka, one 2-core machine", plot);
        chart.setBackgroundPaint(Color.WHITE);
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        ChartUtils.saveChartAsPNG(out.toFile(), chart, 1000, 600);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** The percentile's position on the nines axis: p90 → 1, p99 → 2, p99.9 → 3. */
    static double nines(double percentile) {
        return -Math.log10(1 - percentile / 100);
    }

    /** Labels the nines axis's whole ticks with percentiles, and the maximum's "max". */
    private static final class NinesFormat extends NumberFormat {
        @Override
        public StringBuffer format(double x, StringBuffer to, FieldPosition pos) {
            if (x == MAX_X) {
                return to.append("max");
            }
            if (x != Math.rint(x)) {
                return to; // the half-way ticks stay unlabelled
            }
            double p = 100 * (1 - Math.pow(10, -x));
            return to.append(x == 0 ? "" : "p" + new DecimalFormat("0.##").format(p));
        }

        @Override
        public StringBuffer format(long x, StringBuffer to, FieldPosition pos) {
            return format((double) x, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            throw new UnsupportedOperationException("labels only");
        }
    }
}
