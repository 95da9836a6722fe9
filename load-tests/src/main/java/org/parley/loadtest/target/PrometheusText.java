package org.parley.loadtest.target;

/**
 * Reads values out of the Prometheus text exposition format (version 0.0.4): lines
 * {@code name{label="v",...} value [timestamp]}, comments starting with {@code #}.
 */
public final class PrometheusText {

    private PrometheusText() {
    }

    /**
     * The sum of every series named {@code name} whose labels contain {@code labelFilter} (e.g.
     * {@code kind="audio"}; null for all), or NaN if there is none.
     */
    public static double sum(String text, String name, String labelFilter) {
        double sum = 0;
        boolean found = false;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.charAt(0) == '#' || !line.startsWith(name)) {
                continue;
            }
            int end = name.length();
            if (line.length() <= end) {
                continue;
            }
            char c = line.charAt(end);
            String labels = "";
            int valueStart;
            if (c == '{') {
                int close = line.indexOf('}', end);
                if (close < 0) {
                    continue;
                }
                labels = line.substring(end + 1, close);
                valueStart = close + 1;
            } else if (c == ' ') {
                valueStart = end;
            } else {
                continue; // another metric whose name starts with this one
            }
            if (labelFilter != null && !labels.contains(labelFilter)) {
                continue;
            }
            String[] parts = line.substring(valueStart).trim().split(" ");
            try {
                sum += Double.parseDouble(parts[0]);
                found = true;
            } catch (NumberFormatException e) {
                // NaN/Inf spelled differently or a broken line: not a value we can add.
            }
        }
        return found ? sum : Double.NaN;
    }
}
