package org.parley.server;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression selects, read by tokenizing it the way the PromQL grammar
 * does: strings, label matchers ({@code {...}}), ranges ({@code [...]}) and grouping label lists
 * ({@code by (...)}, {@code on (...)}) hold no metric names; an identifier followed by {@code (}
 * is a function or aggregation; keywords and numbers (durations included) are not names. Every
 * other identifier is a metric name.
 */
final class PromQlMetricNames {

    private static final Pattern STRINGS = Pattern.compile("\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'|`[^`]*`");
    private static final Pattern BRACKETS = Pattern.compile("\\{[^}]*}|\\[[^\\]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    /** A number or duration, a Grafana variable, or an identifier with what follows it. */
    private static final Pattern TOKEN = Pattern.compile(
            "(\\d[\\w.]*)|(\\$\\{?\\w+}?)|([a-zA-Z_:][\\w:]*)(\\s*\\()?");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2", "start", "end");

    private PromQlMetricNames() {
    }

    static Set<String> of(String expr) {
        String s = STRINGS.matcher(expr).replaceAll(" ");
        s = BRACKETS.matcher(s).replaceAll(" ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = TOKEN.matcher(s);
        while (m.find()) {
            String ident = m.group(3);
            boolean call = m.group(4) != null;
            if (ident != null && !call && !KEYWORDS.contains(ident.toLowerCase())) {
                names.add(ident);
            }
        }
        return names;
    }
}
