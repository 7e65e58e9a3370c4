package io.parley.bench;

import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/** A percentile plot (latency against percentile on a log "nines" axis) as a self-contained SVG. */
final class Svg {
    private Svg() {}

    record Series(String label, Histogram histogram, String color) {}

    static String percentilePlot(String title, List<Series> series) {
        int w = 760, h = 420, left = 70, right = 20, top = 40, bottom = 60;
        double maxNines = 4; // up to 99.99%
        double maxMs = 1;
        for (Series s : series) {
            if (s.histogram().getTotalCount() > 0) {
                maxMs = Math.max(maxMs, s.histogram().getValueAtPercentile(99.99) / 1000.0);
            }
        }
        maxMs = niceCeil(maxMs);
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">%n",
                w,
                h));
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        b.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"24\" font-size=\"15\">%s</text>%n", left, esc(title)));
        int pw = w - left - right, ph = h - top - bottom;
        for (int i = 0; i <= 4; i++) {
            double ms = maxMs * i / 4;
            int y = top + ph - (int) (ph * i / 4.0);
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                            + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s ms</text>%n",
                    left,
                    y,
                    left + pw,
                    y,
                    left - 6,
                    y + 4,
                    fmt(ms)));
        }
        String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%"};
        for (int i = 0; i <= 4; i++) {
            int x = left + (int) (pw * i / maxNines);
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>"
                            + "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    top,
                    x,
                    top + ph,
                    x,
                    top + ph + 18,
                    labels[i]));
        }
        b.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>%n",
                left + pw / 2,
                h - 16));
        int legendY = top + 8;
        for (Series s : series) {
            if (s.histogram().getTotalCount() == 0) {
                continue;
            }
            StringBuilder path = new StringBuilder();
            for (int i = 0; i <= 400; i++) {
                double nines = maxNines * i / 400;
                double pct = 100 * (1 - Math.pow(10, -nines));
                double ms = s.histogram().getValueAtPercentile(pct) / 1000.0;
                int x = left + (int) (pw * nines / maxNines);
                int y = top + ph - (int) Math.min(ph, ph * ms / maxMs);
                path.append(i == 0 ? "M" : "L").append(x).append(',').append(y).append(' ');
            }
            b.append(String.format(
                    Locale.ROOT,
                    "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    path.toString().trim(),
                    s.color()));
            b.append(String.format(
                    Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    left + 10,
                    legendY,
                    s.color(),
                    left + 28,
                    legendY + 5,
                    esc(s.label())));
            legendY += 16;
        }
        b.append("</svg>\n");
        return b.toString();
    }

    private static double niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (v <= m * p) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String fmt(double ms) {
        return ms >= 10 ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%.1f", ms);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
