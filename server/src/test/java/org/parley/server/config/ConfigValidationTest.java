package org.parley.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when the configuration file is wrong: an error naming the key. */
class ConfigValidationTest {

    private static final String SECRET = "parley.auth.secret = \"0123456789abcdef0123456789abcdef\"\n";

    @TempDir
    Path dir;

    private ServerConfig load(String hocon) throws IOException {
        Path file = dir.resolve("parley.conf");
        Files.writeString(file, hocon);
        return ServerConfig.from(ConfigLoader.load(Optional.of(file)));
    }

    @Test
    void defaultsAloneAreValid() throws IOException {
        ServerConfig config = load("");
        assertEquals(8080, config.http().port());
        assertEquals(10000, config.relay().config().udpPort());
        assertEquals(3478, config.turn().config().listeningPort());
        assertEquals(Duration.ofSeconds(30), config.drainGracePeriod());
        assertTrue(config.signaling().enabled() && config.relay().enabled() && config.turn().enabled());
    }

    @Test
    void operatorFileOverridesDefaults() throws IOException {
        ServerConfig config = load(SECRET + "parley.http.port = 9090\nparley.turn.enabled = false\n");
        assertEquals(9090, config.http().port());
        assertEquals(false, config.turn().enabled());
        assertEquals("0123456789abcdef0123456789abcdef", config.auth().secret().orElseThrow());
    }

    @Test
    void relayPoolSettingsAreCheckedAndNamed() throws IOException {
        String pool = SECRET + "parley.cluster.redis = \"redis://127.0.0.1:6379\"\nparley.http.host = 127.0.0.1\n";
        assertTrue(load("").relayPool().redis().isEmpty(), "no Redis, no pool: one process as before");
        ConfigException noSecret = assertThrows(ConfigException.class, () -> load(pool));
        assertTrue(noSecret.getMessage().contains("parley.relay.api-secret"), noSecret.getMessage());
        ServerConfig ok = load(pool + "parley.relay.api-secret = \"relay-api-secret-0123\"\nparley.relay.region = eu\n");
        assertEquals("eu", ok.relayPool().region());
        assertEquals("relay-api-secret-0123", ok.relayPoolSecret(), "a full node drives its pool with its own secret");
        ConfigException wildcard = assertThrows(ConfigException.class, () -> load(SECRET
                + "parley.cluster.redis = \"redis://127.0.0.1:6379\"\nparley.relay.api-secret = \"relay-api-secret-0123\"\n"));
        assertTrue(wildcard.getMessage().contains("parley.cluster.relays.control-url"), wildcard.getMessage());
        ConfigException url = assertThrows(ConfigException.class, () -> load(SECRET + "parley.cluster.redis = \"localhost\"\n"));
        assertTrue(url.getMessage().contains("parley.cluster.redis"), url.getMessage());
        ConfigException ttl = assertThrows(ConfigException.class, () -> load(SECRET + "parley.cluster.relays.ttl = 1s\n"));
        assertTrue(ttl.getMessage().contains("parley.cluster.relays.ttl"), ttl.getMessage());
    }

    @Test
    void unknownKeyIsNamedWithASuggestion() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("parley.http.prot = 9090\n"));
        assertTrue(e.getMessage().contains("parley.http.prot"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean parley.http.port"), e.getMessage());
    }

    @Test
    void demoLinksAreAutoByDefaultAndOnlyAutoOrFalse() throws IOException {
        assertTrue(load("").demo().signInLinks());
        assertEquals(Duration.ofHours(12), load("").demo().linkLifetime());
        assertEquals(false, load("parley.demo.sign-in-links = false\n").demo().signInLinks());
        ConfigException e = assertThrows(ConfigException.class, () -> load("parley.demo.sign-in-links = true\n"));
        assertTrue(e.getMessage().contains("parley.demo.sign-in-links") && e.getMessage().contains("auto or false"),
                e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.demo.link-lifetime = 0s\n"));
        assertTrue(e.getMessage().contains("parley.demo.link-lifetime"), e.getMessage());
    }

    @Test
    void unknownSectionIsRejected() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("parley.trun.enabled = false\n"));
        assertTrue(e.getMessage().contains("parley.trun.enabled"), e.getMessage());
    }

    @Test
    void portOutOfRangeIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("parley.http.port = 70000\n"));
        assertTrue(e.getMessage().contains("parley.http.port"), e.getMessage());
        assertTrue(e.getMessage().contains("70000"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.relay.udp-port = -1\n"));
        assertTrue(e.getMessage().contains("parley.relay.udp-port"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.turn.listening-port = 65536\n"));
        assertTrue(e.getMessage().contains("parley.turn.listening-port"), e.getMessage());
    }

    @Test
    void connectionBoundsAreValidatedAndNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("parley.http.header-timeout = 0s\n"));
        assertTrue(e.getMessage().contains("parley.http.header-timeout"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.http.max-connections = 0\n"));
        assertTrue(e.getMessage().contains("parley.http.max-connections"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load(
                "parley.http.max-connections = 10\nparley.http.max-connections-per-address = 11\n"));
        assertTrue(e.getMessage().contains("parley.http.max-connections-per-address"), e.getMessage());
    }

    @Test
    void httpsSettingsAreValidatedAndNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("parley.http.tls.private-key = \"/etc/key.pem\"\n"));
        assertTrue(e.getMessage().contains("parley.http.tls.certificate"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.http.redirect-port = 80\n"));
        assertTrue(e.getMessage().contains("parley.http.redirect-port"), e.getMessage());
        assertTrue(e.getMessage().contains("needs parley.http.tls.certificate"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.http.tls.reload-interval = 10ms\n"));
        assertTrue(e.getMessage().contains("parley.http.tls.reload-interval"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.http.trusted-proxies = [\"10.0.0.0/33\"]\n"));
        assertTrue(e.getMessage().contains("parley.http.trusted-proxies"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> load("parley.http.trusted-proxies = \"nginx.local\"\n"));
        assertTrue(e.getMessage().contains("parley.http.trusted-proxies"), e.getMessage());
    }

    @Test
    void trustedProxiesAreAListOrOneCommaSeparatedString() throws IOException {
        assertEquals(2, load("parley.http.trusted-proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n").http()
                .trustedProxies().size());
        assertEquals(3, load("parley.http.trusted-proxies = \"127.0.0.1, ::1,10.0.0.0/8\"\n").http()
                .trustedProxies().size());
        assertTrue(load("").http().trustedProxies().isEmpty(), "nobody is trusted by default");
    }

    @Test
    void portOfTheWrongTypeIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("parley.http.port = eighty\n"));
        assertTrue(e.getMessage().contains("port"), e.getMessage());
    }

    @Test
    void missingSecretIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("parley.auth.secret = \"\"\nparley.auth.secret-file = \"\"\n"));
        assertTrue(e.getMessage().contains("parley.auth.secret"), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void shortSecretIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("parley.auth.secret = \"short\"\n"));
        assertTrue(e.getMessage().contains("at least 32"), e.getMessage());
    }

    @Test
    void secretFileIsCreatedOwnerOnlyWhenServingAndRequiredOtherwise() throws IOException {
        Path secretFile = dir.resolve("sub/parley.secret");
        ServerConfig config = load("parley.auth.secret-file = \"" + secretFile + "\"\n");
        ConfigException missing = assertThrows(ConfigException.class, () -> config.auth().resolve(false));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        byte[] created = config.auth().resolve(true);
        assertTrue(created.length >= AuthConfig.MIN_SECRET_LENGTH);
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(secretFile)));
        // A second start reads the same secret rather than minting a new one (tokens stay valid).
        assertEquals(new String(created), new String(config.auth().resolve(true)));
    }

    @Test
    void negativeGracePeriodIsNamed() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> load("parley.shutdown.drain-grace-period = -5s\n"));
        assertTrue(e.getMessage().contains("parley.shutdown.drain-grace-period"), e.getMessage());
    }

    @Test
    void missingConfigFileIsAnError() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Optional.of(dir.resolve("nope.conf"))));
        assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
    }

    @Test
    void editDistanceCountsEdits() {
        assertEquals(0, ConfigLoader.editDistance("port", "port"));
        assertEquals(2, ConfigLoader.editDistance("prot", "port"));
        assertEquals(1, ConfigLoader.editDistance("host", "hosts"));
    }
}
