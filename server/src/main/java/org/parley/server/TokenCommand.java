package org.parley.server;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.parley.server.config.AuthConfig;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.auth.UserId;

/** {@code parley-server token --user alice [--name N] [--room R] [--role owner] [--ttl 2h]}. */
final class TokenCommand {

    private TokenCommand() {
    }

    static String run(CommandLine args, AuthConfig auth, Clock clock) {
        String user = args.option("user").orElseThrow(() -> new CommandLine.UsageException("token needs --user"));
        Optional<Role> role;
        try {
            role = args.option("role").map(Role::fromWire);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.UsageException("--role: " + e.getMessage());
        }
        Duration ttl = args.option("ttl").map(TokenCommand::duration).orElse(auth.tokenTtl());
        byte[] secret = auth.resolve(false);
        if (!UserId.isValid(user)) {
            throw new CommandLine.UsageException("--user must be " + UserId.RULE);
        }
        return new TokenIssuer(secret, clock).issue(user, args.option("name"), args.option("room"), role, ttl);
    }

    /** Accepts HOCON durations ("90s", "2h", "7 days") so they read like the config file. */
    private static Duration duration(String text) {
        try {
            Duration d = ConfigFactory.parseString("ttl = \"" + text.replace("\"", "") + "\"").getDuration("ttl");
            if (d.isZero() || d.isNegative()) {
                throw new CommandLine.UsageException("--ttl must be positive");
            }
            return d;
        } catch (ConfigException e) {
            throw new CommandLine.UsageException("--ttl '" + text + "' is not a duration (try 90s, 30m, 2h, 7d)");
        }
    }
}
