package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Where the operator's secret comes from: {@code parley.auth.secret} inline, or a file.
 *
 * @param secret the inline secret, if given
 * @param secretFile the file to read (and, when serving, create) otherwise
 * @param tokenTtl default lifetime of minted tokens
 */
public record AuthConfig(Optional<String> secret, Optional<Path> secretFile, Duration tokenTtl) {

    /** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). */
    static final int MIN_SECRET_LENGTH = 32;

    static AuthConfig from(Config root) {
        String secret = root.getString("parley.auth.secret");
        String file = root.getString("parley.auth.secret-file");
        if (!secret.isEmpty() && secret.length() < MIN_SECRET_LENGTH) {
            throw new ConfigException.BadValue(root.origin(), "parley.auth.secret",
                    "must be at least " + MIN_SECRET_LENGTH + " characters, got " + secret.length());
        }
        if (secret.isEmpty() && file.isBlank()) {
            throw new ConfigException.BadValue(root.origin(), "parley.auth.secret",
                    "missing: set parley.auth.secret or parley.auth.secret-file");
        }
        Duration ttl = root.getDuration("parley.auth.token-ttl");
        if (ttl.isZero() || ttl.isNegative()) {
            throw new ConfigException.BadValue(root.origin(), "parley.auth.token-ttl", "must be positive");
        }
        return new AuthConfig(secret.isEmpty() ? Optional.empty() : Optional.of(secret),
                file.isBlank() ? Optional.empty() : Optional.of(Path.of(file)), ttl);
    }

    /**
     * The secret's bytes. With {@code createIfMissing}, a missing secret file is created with 256
     * random bits, readable by its owner only; otherwise a missing file is a configuration error.
     */
    public byte[] resolve(boolean createIfMissing) {
        if (secret.isPresent()) {
            return secret.get().getBytes(StandardCharsets.UTF_8);
        }
        Path file = secretFile.orElseThrow();
        try {
            if (!Files.exists(file)) {
                if (!createIfMissing) {
                    throw new ConfigException.BadValue("parley.auth.secret",
                            "missing: no parley.auth.secret and " + file.toAbsolutePath()
                                    + " does not exist (start the server once, or set the secret)");
                }
                create(file);
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (text.length() < MIN_SECRET_LENGTH) {
                throw new ConfigException.BadValue("parley.auth.secret-file",
                        file + " holds fewer than " + MIN_SECRET_LENGTH + " characters");
            }
            return text.getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n";
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows and friends: the file stays with the directory's permissions.
        }
    }
}
