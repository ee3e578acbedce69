// SPDX-License-Identifier: Apache-2.0

package io.runnel.console.internal;

import java.util.List;
import java.util.Locale;

/**
 * Line charts as inline SVG, drawn on the server: no chart library, no script. A chart has a
 * line of values over time, its highest value on the axis, and vertical marks (rebalances).
 */
final class Charts {
    static final int WIDTH = 640;
    static final int HEIGHT = 160;
    private static final int LEFT = 56;
    private static final int BOTTOM = 20;
    private static final int TOP = 10;

    private Charts() {
    }

    /** One value at a time, epoch millis. */
    record Value(long atMillis, double value) {
    }

    /**
     * A chart's SVG.
     *
     * @param label    what it shows, for screen readers and the title
     * @param unit     the values' unit, after the axis's highest value
     * @param values   the line, oldest first (may be empty)
     * @param marks    times to mark with a vertical line
     * @param from     the left edge, epoch millis
     * @param to       the right edge, epoch millis
     * @return the {@code <svg>} element
     */
    static String line(String label, String unit, List<Value> values, List<Long> marks, long from, long to) {
        double max = values.stream().mapToDouble(Value::value).max().orElse(0);
        double top = max <= 0 ? 1 : niceCeiling(max);
        long span = Math.max(1, to - from);
        int plotWidth = WIDTH - LEFT - 8;
        int plotHeight = HEIGHT - TOP - BOTTOM;
        StringBuilder svg = new StringBuilder(1024);
        svg.append("<svg class=\"chart\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(escape(label)).append("\"><title>")
                .append(escape(label)).append("</title>");
        svg.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP + plotHeight)
                .append("\" x2=\"").append(LEFT + plotWidth).append("\" y2=\"").append(TOP + plotHeight).append("\"/>");
        svg.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"")
                .append(LEFT).append("\" y2=\"").append(TOP + plotHeight).append("\"/>");
        svg.append("<text class=\"caption\" x=\"").append(LEFT + 8).append("\" y=\"").append(TOP + 12).append("\">")
                .append(escape(label)).append("</text>");
        svg.append("<text class=\"tick\" x=\"").append(LEFT - 4).append("\" y=\"").append(TOP + 8)
                .append("\" text-anchor=\"end\">").append(escape(compact(top) + unit)).append("</text>");
        svg.append("<text class=\"tick\" x=\"").append(LEFT - 4).append("\" y=\"").append(TOP + plotHeight)
                .append("\" text-anchor=\"end\">0</text>");
        svg.append("<text class=\"tick\" x=\"").append(LEFT).append("\" y=\"").append(HEIGHT - 4).append("\">")
                .append(escape(ago(to - from))).append("</text>");
        svg.append("<text class=\"tick\" x=\"").append(LEFT + plotWidth).append("\" y=\"").append(HEIGHT - 4)
                .append("\" text-anchor=\"end\">now</text>");
        for (long mark : marks) {
            double x = LEFT + (double) (mark - from) / span * plotWidth;
            svg.append("<line class=\"mark\" x1=\"").append(format(x)).append("\" y1=\"").append(TOP)
                    .append("\" x2=\"").append(format(x)).append("\" y2=\"").append(TOP + plotHeight).append("\"/>");
        }
        if (!values.isEmpty()) {
            svg.append("<polyline class=\"line\" points=\"");
            for (Value v : values) {
                double x = LEFT + (double) (v.atMillis() - from) / span * plotWidth;
                double y = TOP + plotHeight - v.value() / top * plotHeight;
                svg.append(format(x)).append(',').append(format(y)).append(' ');
            }
            svg.setLength(svg.length() - 1);
            svg.append("\"/>");
        }
        return svg.append("</svg>").toString();
    }

    /** The smallest of 1, 2, 5 × 10^n at or above {@code value}. */
    static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String compact(double value) {
        if (value >= 1_000_000) {
            return format(value / 1_000_000) + "M";
        }
        if (value >= 1_000) {
            return format(value / 1_000) + "k";
        }
        return format(value);
    }

    private static String ago(long millis) {
        long minutes = Math.round(millis / 60_000.0);
        return minutes >= 1 ? minutes + " min ago" : Math.round(millis / 1000.0) + " s ago";
    }

    private static String format(double value) {
        String text = String.format(Locale.ROOT, "%.1f", value);
        return text.endsWith(".0") ? text.substring(0, text.length() - 2) : text;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
