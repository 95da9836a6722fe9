package org.parley.server.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.parley.server.tls.ServerCertificate;

/**
 * HTTPS on the web listener: {@code parley.http.tls}. Present only when a certificate is set.
 * Start-up reads both files once, so a missing file or a key of another certificate stops it
 * with an error naming the setting, instead of a listener whose every handshake fails.
 *
 * @param certificate PEM certificate chain, leaf first (certbot's fullchain.pem)
 * @param privateKey PEM private key of the leaf certificate
 * @param reloadInterval how often both files are read again for a renewed pair
 */
public record TlsConfig(Path certificate, Path privateKey, Duration reloadInterval) {

    public static final String CERTIFICATE = "parley.http.tls.certificate";
    public static final String PRIVATE_KEY = "parley.http.tls.private-key";
    static final String RELOAD_INTERVAL = "parley.http.tls.reload-interval";

    static Optional<TlsConfig> from(Config root) {
        String certificate = root.getString(CERTIFICATE).trim();
        String key = root.getString(PRIVATE_KEY).trim();
        Duration reload = root.getDuration(RELOAD_INTERVAL);
        if (reload.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new ConfigException.BadValue(root.origin(), RELOAD_INTERVAL, "must be at least 1s, got " + reload);
        }
        if (certificate.isEmpty()) {
            if (!key.isEmpty()) {
                throw new ConfigException.BadValue(root.origin(), CERTIFICATE,
                        "must be set when " + PRIVATE_KEY + " is set (or clear both for plain HTTP)");
            }
            return Optional.empty();
        }
        if (key.isEmpty()) {
            throw new ConfigException.BadValue(root.origin(), PRIVATE_KEY, "must be set when " + CERTIFICATE + " is set");
        }
        TlsConfig tls = new TlsConfig(Path.of(certificate), Path.of(key), reload);
        tls.check(root);
        return Optional.of(tls);
    }

    /** Loads the pair once; an unusable one is a configuration error naming the file at fault. */
    private void check(Config root) {
        byte[] certificateBytes = read(root, CERTIFICATE, certificate);
        byte[] keyBytes = read(root, PRIVATE_KEY, privateKey);
        try {
            ServerCertificate.parse(certificateBytes, keyBytes);
        } catch (ServerCertificate.InvalidException e) {
            String setting = e.aboutKey() ? PRIVATE_KEY : CERTIFICATE;
            Path file = e.aboutKey() ? privateKey : certificate;
            throw new ConfigException.BadValue(root.origin(), setting, file + ": " + e.getMessage());
        }
    }

    private static byte[] read(Config root, String setting, Path file) {
        if (!Files.exists(file)) {
            throw new ConfigException.BadValue(root.origin(), setting, file + ": no such file");
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException.BadValue(root.origin(), setting, file + ": cannot read (" + e + ")");
        }
    }
}
