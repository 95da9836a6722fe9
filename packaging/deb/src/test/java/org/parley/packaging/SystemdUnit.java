package org.parley.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A systemd unit file read the way systemd reads it (systemd.syntax(7)): sections, {@code Key=value}
 * lines, {@code #} and {@code ;} comments, a trailing backslash continuing a line, and keys that may
 * repeat ({@code Environment=}). Only what the test needs to start the service as systemd would.
 */
final class SystemdUnit {

    private final Map<String, Map<String, List<String>>> sections;

    private SystemdUnit(Map<String, Map<String, List<String>>> sections) {
        this.sections = sections;
    }

    static SystemdUnit read(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        StringBuilder pending = new StringBuilder();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            line = pending.append(line).toString();
            pending.setLength(0);
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = line.indexOf('=');
            if (current == null || eq < 0) {
                throw new IllegalArgumentException(file + ": not a unit file line: " + raw);
            }
            current.computeIfAbsent(line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return new SystemdUnit(sections);
    }

    /** Every value of {@code key} in {@code section}, in file order. */
    List<String> all(String section, String key) {
        return sections.getOrDefault(section, Map.of()).getOrDefault(key, List.of());
    }

    /** The value in force: for a single-valued key, systemd takes the last assignment. */
    Optional<String> value(String section, String key) {
        List<String> values = all(section, key);
        return values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }

    String service(String key) {
        return value("Service", key).orElseThrow(() -> new AssertionError("the unit has no " + key + "="));
    }

    /** {@code Environment=} assignments, each {@code NAME=value} separated by spaces (no quoting here). */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : all("Service", "Environment")) {
            for (String assignment : words(line, "Environment")) {
                int eq = assignment.indexOf('=');
                if (eq <= 0) {
                    throw new AssertionError("Environment=" + line + ": '" + assignment + "' is not NAME=value");
                }
                env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        }
        return env;
    }

    /**
     * ExecStart's command line as an argument vector. The test runs it without a shell, as systemd
     * does; quoting, variable expansion and prefixes such as '-' or '+' are refused rather than
     * half-understood, so a unit using them fails here instead of being started differently.
     */
    List<String> execStart() {
        List<String> argv = words(service("ExecStart"), "ExecStart");
        if (!argv.get(0).startsWith("/")) {
            throw new AssertionError("ExecStart must name an absolute path (and no prefix): " + argv.get(0));
        }
        return argv;
    }

    private static List<String> words(String line, String key) {
        if (line.matches(".*[\"'$%\\\\].*")) {
            throw new AssertionError(key + "=" + line + ": quoting, $ and % specifiers are not supported by this test");
        }
        return List.of(line.strip().split("\\s+"));
    }
}
