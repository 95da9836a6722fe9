package org.parley.server;

import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code PARLEY_LOG_FORMAT}, the log format: {@code text} (key=value lines, the default) or
 * {@code json} (one JSON object a line). logback.xml uses the value as the name of the appender
 * to write with, so an unknown value would leave the server logging nothing at all: it is checked
 * before anything logs. Like {@code PARLEY_LOG_LEVEL} it is read by logback at its start, from a
 * system property of that name or else the environment, which is why it is no {@code parley.*}
 * setting (the configuration file is read after logging has started).
 */
final class LogFormat {

    static final String VARIABLE = "PARLEY_LOG_FORMAT";
    private static final Set<String> FORMATS = Set.of("text", "json");

    private LogFormat() {
    }

    /** True when logback writes JSON, so stdout must hold nothing but JSON lines. */
    static boolean json(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        return "json".equals(Optional.ofNullable(systemProperties.apply(VARIABLE)).orElse(environment.apply(VARIABLE)));
    }

    /** Why the format logback is about to read is unusable, or empty when it is fine or unset. */
    static Optional<String> problem(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
        String value = Optional.ofNullable(systemProperties.apply(VARIABLE)).orElse(environment.apply(VARIABLE));
        if (value == null || FORMATS.contains(value)) {
            return Optional.empty();
        }
        return Optional.of(VARIABLE + " must be text or json, not '" + value + "'");
    }
}
