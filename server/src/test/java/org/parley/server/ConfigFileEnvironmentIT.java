package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PARLEY_CONFIG} names the configuration file when the command line does not, which is how
 * the Debian package's systemd unit points the server at /etc/parley/parley.conf.
 */
class ConfigFileEnvironmentIT {

    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void serverReadsTheFileNamedByParleyConfig() throws Exception {
        Path conf = Files.writeString(dir.resolve("operator.conf"), "parley.auth.secret-file = \"from-env.secret\"\n");
        try (ServerProcess server = ServerProcess.start(dir, Map.of("PARLEY_CONFIG", conf.toString()),
                ServerProcess.loopbackFreePorts())) {
            server.awaitLine("up:", START);
            // The file's setting took effect: the secret was created under the name it gives.
            assertTrue(Files.isRegularFile(dir.resolve("from-env.secret")), server.output());
            assertFalse(Files.exists(dir.resolve("parley.secret")), server.output());
            assertEquals(0, server.terminate(START), server.output());
        }
    }

    @Test
    void configOptionWinsOverParleyConfig() throws Exception {
        Path conf = Files.writeString(dir.resolve("given.conf"), "parley.auth.secret-file = \"from-option.secret\"\n");
        try (ServerProcess server = ServerProcess.start(dir,
                Map.of("PARLEY_CONFIG", dir.resolve("not-this.conf").toString()),
                ServerProcess.loopbackFreePorts(), "--config", conf.toString())) {
            server.awaitLine("up:", START);
            assertTrue(Files.isRegularFile(dir.resolve("from-option.secret")), server.output());
            assertEquals(0, server.terminate(START), server.output());
        }
    }

    @Test
    void missingFileNamedByParleyConfigIsAConfigurationError() throws Exception {
        Path missing = dir.resolve("missing.conf");
        try (ServerProcess server = ServerProcess.start(dir, Map.of("PARLEY_CONFIG", missing.toString()),
                ServerProcess.loopbackFreePorts())) {
            assertEquals(2, server.exitCode(START), server.output());
            String out = server.output();
            assertTrue(out.contains("configuration error") && out.contains(missing.toString()), out);
        }
    }
}
