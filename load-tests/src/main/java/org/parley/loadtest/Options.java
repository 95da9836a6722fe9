package org.parley.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The command line: {@code <scenario> --name value ...} (or {@code --name=value}; a flag alone
 * means {@code true}). Typed getters name the option in their errors; options nobody asked for
 * are an error too, so a typo never silently falls back to a default. Only {@code --url} may be
 * given more than once (the nodes of a cluster); any other option twice is an error.
 */
public final class Options {

    private final String scenario;
    private static final Set<String> REPEATABLE = Set.of("url");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, List<String>> repeated = new LinkedHashMap<>();
    private final Set<String> used = new TreeSet<>();

    private Options(String scenario) {
        this.scenario = scenario;
    }

    public static Options parse(String... args) {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new IllegalArgumentException("the first argument must be a scenario");
        }
        Options o = new Options(args[0]);
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("expected --option, got '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                value = "true";
            }
            o.repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            if (o.values.put(name, value) != null && !REPEATABLE.contains(name)) {
                throw new IllegalArgumentException("--" + name + " given twice");
            }
        }
        return o;
    }

    public String scenario() {
        return scenario;
    }

    public boolean has(String name) {
        used.add(name);
        return values.containsKey(name);
    }

    public String string(String name, String fallback) {
        used.add(name);
        return values.getOrDefault(name, fallback);
    }

    /** Every value of a repeatable option in the order given; empty when it was not given. */
    public List<String> all(String name) {
        used.add(name);
        return List.copyOf(repeated.getOrDefault(name, List.of()));
    }

    public String required(String name) {
        used.add(name);
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    public int integer(String name, int fallback, int min, int max) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException("--" + name + ": " + n + " is outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": not a whole number: " + v);
        }
    }

    public double number(String name, double fallback, double min, double max) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            double n = Double.parseDouble(v);
            if (!(n >= min && n <= max)) {
                throw new IllegalArgumentException("--" + name + ": " + v + " is outside " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": not a number: " + v);
        }
    }

    public boolean flag(String name) {
        String v = string(name, "false");
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--" + name + ": true or false, got " + v);
        }
        return Boolean.parseBoolean(v);
    }

    /** {@code 30s}, {@code 500ms}, {@code 2m}, {@code 1h}, or plain seconds. */
    public Duration duration(String name, Duration fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        Duration d = parseDuration(v);
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException("--" + name + ": not a duration (30s, 500ms, 2m): " + v);
        }
        return d;
    }

    static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
                case 's' -> 1_000;
                case 'm' -> 60_000;
                case 'h' -> 3_600_000;
                default -> 0;
            };
            if (unit == 0) {
                return Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * unit));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A duration as people write it: {@code 500 ms}, {@code 30 s}, {@code 2 min}, {@code 1 h 30 min}. */
    public static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        long h = d.toHours();
        long m = d.toMinutesPart();
        long s = d.toSecondsPart();
        StringBuilder b = new StringBuilder();
        if (h > 0) {
            b.append(h).append(" h");
        }
        if (m > 0) {
            b.append(b.length() > 0 ? " " : "").append(m).append(" min");
        }
        if (s > 0) {
            b.append(b.length() > 0 ? " " : "").append(s).append(" s");
        }
        return b.toString();
    }

    /** Bits per second: {@code 500k}, {@code 2.5M}, or plain bits. */
    public long bitrate(String name, long fallback) {
        String v = string(name, null);
        if (v == null) {
            return fallback;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        long mult = s.endsWith("k") ? 1_000 : s.endsWith("m") ? 1_000_000 : 1;
        try {
            double n = Double.parseDouble(mult == 1 ? s : s.substring(0, s.length() - 1));
            long bps = Math.round(n * mult);
            if (bps < 1_000 || bps > 100_000_000) {
                throw new IllegalArgumentException("--" + name + ": " + v + " is outside 1k..100M bit/s");
            }
            return bps;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": not a bitrate (500k, 2M): " + v);
        }
    }

    /** Fails naming every option that no part of the tool read. */
    public void rejectUnknown() {
        Set<String> unknown = new TreeSet<>(values.keySet());
        unknown.removeAll(used);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) for " + scenario + ": --" + String.join(", --", unknown));
        }
    }

    /** Every option given, for the report. */
    public Map<String, String> given() {
        Map<String, String> copy = new LinkedHashMap<>(values);
        copy.computeIfPresent("secret", (k, v) -> "***");
        copy.computeIfPresent("relay-api-secret", (k, v) -> "***");
        return copy;
    }
}
