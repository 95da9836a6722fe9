package org.parley.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The parsed arguments: a subcommand ({@code serve} when none is given) and its {@code --name value}
 * options. Unknown options are usage errors, not silently ignored. The configuration file is
 * {@code --config FILE}, or else the environment's {@code PARLEY_CONFIG} (how a service manager or a
 * container names it without touching the command line); {@code --config} wins.
 */
record CommandLine(String command, Optional<Path> configFile, Map<String, String> options) {

    static final String CONFIG_ENV = "PARLEY_CONFIG";
    static final Set<String> COMMANDS = Set.of("serve", "token", "help", "version");
    private static final Map<String, Set<String>> OPTIONS = Map.of(
            "serve", Set.of(),
            "token", Set.of("user", "name", "room", "role", "ttl"),
            "help", Set.of(),
            "version", Set.of());

    /** Throws {@link UsageException} with a message for the user. */
    static CommandLine parse(List<String> args) {
        return parse(args, Map.of());
    }

    /** As {@link #parse(List)}, with {@code env} (the process environment) for {@code PARLEY_CONFIG}. */
    static CommandLine parse(List<String> args, Map<String, String> env) {
        String command = null;
        Path config = null;
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--help", "-h" -> command = "help";
                case "--version", "-V" -> command = "version";
                case "--config" -> config = Path.of(value(args, ++i, arg));
                default -> {
                    if (arg.startsWith("--")) {
                        options.put(arg.substring(2), value(args, ++i, arg));
                    } else if (command == null && COMMANDS.contains(arg)) {
                        command = arg;
                    } else {
                        throw new UsageException("unknown argument '" + arg + "'");
                    }
                }
            }
        }
        String fromEnv = env.getOrDefault(CONFIG_ENV, "");
        if (config == null && !fromEnv.isBlank()) {
            config = Path.of(fromEnv.strip());
        }
        String cmd = command == null ? "serve" : command;
        for (String name : options.keySet()) {
            if (!OPTIONS.get(cmd).contains(name)) {
                throw new UsageException("'" + cmd + "' takes no option --" + name);
            }
        }
        return new CommandLine(cmd, Optional.ofNullable(config), Map.copyOf(options));
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size() || args.get(i).startsWith("--")) {
            throw new UsageException(option + " needs a value");
        }
        return args.get(i);
    }

    Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    /** A mistake in the arguments; printed with the usage text, exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
