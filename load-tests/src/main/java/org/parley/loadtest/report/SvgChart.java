package org.parley.loadtest.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A line chart drawn as inline SVG, so the report needs nothing from the network: one x axis,
 * one or more named series, axes with a few round ticks, a legend.
 */
final class SvgChart {

    private static final String[] COLORS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
    private static final int W = 720;
    /** Height of the plot area with its title and axes, without the legend. */
    private static final int H = 260;
    private static final int LEFT = 64;
    private static final int RIGHT = 16;
    private static final int TOP = 28;
    private static final int BOTTOM = 40;
    private static final int LEGEND_ROW = 16;
    /** Width of one character of the 11 px legend text, a little generous so names never touch. */
    private static final double CHAR_WIDTH = 6.6;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Map<String, double[][]> series = new LinkedHashMap<>();

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** Adds a series of (x, y) points; NaN or negative y values are gaps. */
    SvgChart series(String name, double[] xs, double[] ys) {
        double[][] pts = new double[xs.length][];
        for (int i = 0; i < xs.length; i++) {
            pts[i] = new double[] {xs[i], ys[i]};
        }
        series.put(name, pts);
        return this;
    }

    /** Distinct x positions with a value in any series: a chart needs two to draw a line. */
    int points() {
        return (int) series.values().stream().flatMap(java.util.Arrays::stream).filter(p -> valid(p[1]))
                .mapToDouble(p -> p[0]).distinct().count();
    }

    /**
     * Legend entries laid out left to right below the plot, wrapping to a new row rather than
     * running into each other: {x, row} per series.
     */
    private int[][] legendLayout() {
        int[][] at = new int[series.size()][];
        int x = LEFT;
        int row = 0;
        int i = 0;
        for (String name : series.keySet()) {
            int width = 14 + (int) Math.ceil(name.length() * CHAR_WIDTH) + 18;
            if (x + width > W - RIGHT && x > LEFT) {
                row++;
                x = LEFT;
            }
            at[i++] = new int[] {x, row};
            x += width;
        }
        return at;
    }

    String render() {
        double minX = Double.MAX_VALUE;
        double maxX = -Double.MAX_VALUE;
        double maxY = 0;
        for (double[][] pts : series.values()) {
            for (double[] p : pts) {
                if (valid(p[1])) {
                    minX = Math.min(minX, p[0]);
                    maxX = Math.max(maxX, p[0]);
                    maxY = Math.max(maxY, p[1]);
                }
            }
        }
        if (minX > maxX) {
            minX = 0;
            maxX = 1;
        }
        if (maxX == minX) {
            maxX = minX + 1;
        }
        double yTop = niceCeiling(maxY);
        int[][] legend = legendLayout();
        int rows = legend.length == 0 ? 0 : legend[legend.length - 1][1] + 1;
        int height = H + rows * LEGEND_ROW + 14;
        StringBuilder b = new StringBuilder(4096);
        b.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
                W, height, W, height));
        b.append("<title>").append(HtmlReport.escape(title)).append("</title>");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>",
                LEFT, HtmlReport.escape(title)));
        int plotW = W - LEFT - RIGHT;
        int plotH = H - TOP - BOTTOM;
        b.append(String.format(Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", LEFT, TOP, plotW, plotH));
        for (int i = 0; i <= 4; i++) {
            double v = yTop * i / 4;
            double y = TOP + plotH - plotH * i / 4.0;
            b.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>",
                    LEFT, y, LEFT + plotW, y, LEFT - 4, y + 4, label(v)));
        }
        for (int i = 0; i <= 5; i++) {
            double v = minX + (maxX - minX) * i / 5;
            double x = LEFT + plotW * i / 5.0;
            b.append(String.format(Locale.ROOT,
                    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>", x, TOP + plotH + 14, label(v)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%s</text>",
                LEFT + plotW / 2, H - 6, HtmlReport.escape(xLabel)));
        b.append(String.format(Locale.ROOT,
                "<text x=\"12\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">%s</text>",
                TOP + plotH / 2, TOP + plotH / 2, HtmlReport.escape(yLabel)));
        int c = 0;
        for (Map.Entry<String, double[][]> e : series.entrySet()) {
            String color = COLORS[c % COLORS.length];
            StringBuilder path = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            boolean pen = false;
            long validPoints = java.util.Arrays.stream(e.getValue()).filter(p -> valid(p[1])).count();
            for (double[] p : e.getValue()) {
                if (!valid(p[1])) {
                    pen = false;
                    continue;
                }
                double x = LEFT + plotW * (p[0] - minX) / (maxX - minX);
                double y = TOP + plotH - plotH * Math.min(p[1], yTop) / yTop;
                path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                pen = true;
                // Sparse series (a join now and then) would be invisible as lines alone.
                if (validPoints <= 60) {
                    dots.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
                            x, y, color));
                }
            }
            b.append(dots);
            if (path.length() > 0) {
                b.append("<path fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(color).append("\" d=\"")
                        .append(path.toString().trim()).append("\"/>");
            }
            int legendY = H + 10 + legend[c][1] * LEGEND_ROW;
            b.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>",
                    legend[c][0], legendY - 9, color, legend[c][0] + 14, legendY, HtmlReport.escape(e.getKey())));
            c++;
        }
        b.append("</svg>");
        return b.toString();
    }

    private static boolean valid(double v) {
        return !Double.isNaN(v) && !Double.isInfinite(v) && v >= 0;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code v}. */
    static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String label(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) {
            return String.format(Locale.ROOT, "%d", (long) v);
        }
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : "%.1f", v);
    }
}
