package org.parley.loadtest.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.parley.loadtest.Options;

/**
 * Values of the settings and outcome tables as HTML: a nested map becomes a nested table, a list
 * of maps (capacity's steps) a table with one row each, a duration reads "2 min": never a raw
 * {@code {a=1, b=2}} or {@code PT2M} in a cell.
 */
final class Cells {

    private Cells() {
    }

    static String table(Map<?, ?> values) {
        StringBuilder b = new StringBuilder("<table>");
        values.forEach((k, v) -> b.append("<tr><th>").append(HtmlReport.escape(String.valueOf(k))).append("</th><td>")
                .append(cell(v)).append("</td></tr>"));
        return b.append("</table>").toString();
    }

    static String cell(Object v) {
        if (v instanceof Map<?, ?> m) {
            return m.isEmpty() ? "none" : table(m);
        }
        if (v instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(e -> e instanceof Map)) {
            return rows(list);
        }
        if (v instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            list.forEach(e -> parts.add(cell(e)));
            return parts.isEmpty() ? "none" : String.join(", ", parts);
        }
        if (v instanceof Duration d) {
            return HtmlReport.escape(Options.human(d));
        }
        return HtmlReport.escape(String.valueOf(v));
    }

    /** One row per map, one column per key any of them has. */
    private static String rows(List<?> maps) {
        Set<Object> keys = new LinkedHashSet<>();
        maps.forEach(m -> keys.addAll(((Map<?, ?>) m).keySet()));
        StringBuilder b = new StringBuilder("<table><tr>");
        keys.forEach(k -> b.append("<th>").append(HtmlReport.escape(String.valueOf(k))).append("</th>"));
        b.append("</tr>");
        for (Object m : maps) {
            b.append("<tr>");
            for (Object k : keys) {
                Object v = ((Map<?, ?>) m).get(k);
                b.append("<td>").append(v == null ? "" : cell(v)).append("</td>");
            }
            b.append("</tr>");
        }
        return b.append("</table>").toString();
    }
}
