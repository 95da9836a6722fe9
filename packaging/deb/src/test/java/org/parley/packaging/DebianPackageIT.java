package org.parley.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb this module builds, installed for real with dpkg as an operator installs it (root), its
 * unit checked with systemd-analyze, the installed server started the way the unit starts it,
 * upgraded in place, removed and purged. The test purges the package whatever happens, and purges a
 * leftover of an interrupted earlier run before it starts, so it can run again on the same machine.
 */
class DebianPackageIT {

    private static final Path ETC = Path.of("/etc/parley");
    private static final Path CONF = ETC.resolve("parley.conf");
    private static final Path SECRET = ETC.resolve("parley.secret");
    private static final Path STATE = Path.of("/var/lib/parley");
    private static final Path JAR = Path.of("/usr/share/parley/parley-server.jar");
    private static final Path UNIT = Path.of("/usr/lib/systemd/system/parley.service");
    /** The unit's default HTTP port; free inside the test JVM's own network namespace. */
    private static final URI HTTP = URI.create("http://127.0.0.1:8080");
    private static final Duration START = Duration.ofSeconds(90);
    private static final Duration STOP = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private static String deb() {
        Path deb = Path.of(System.getProperty("parley.deb", "target/parley.deb"));
        assertTrue(Files.isRegularFile(deb), deb + " missing: run `mvn verify`, not the test alone");
        return deb.toString();
    }

    @Test
    void packageHoldsTheJarLauncherUnitAndConffile() {
        String info = Command.run("dpkg-deb", "--info", deb()).assertSucceeded().output();
        assertTrue(info.contains("Package: parley"), info);
        assertTrue(info.contains("Architecture: all"), info);
        assertTrue(info.matches("(?s).*Depends: default-jre-headless \\(>= 2:1\\.17\\) \\| java17-runtime-headless.*"), info);
        for (String script : List.of("postinst", "prerm", "postrm", "conffiles")) {
            assertTrue(info.contains(" " + script), script + " missing:\n" + info);
        }
        assertEquals("/etc/parley/parley.conf",
                Command.run("dpkg-deb", "--info", deb(), "conffiles").assertSucceeded().output().strip());

        String listing = Command.run("dpkg-deb", "--contents", deb()).assertSucceeded().output();
        Map<String, String> modes = new HashMap<>();
        for (String line : listing.split("\n")) {
            String[] f = line.strip().split("\\s+");
            modes.put(f[f.length - 1].replaceFirst("^\\./", "/"), f[0] + " " + f[1]);
        }
        assertEquals("-rw-r--r-- root/root", modes.get(JAR.toString()), listing);
        assertEquals("-rwxr-xr-x root/root", modes.get("/usr/bin/parley"), listing);
        assertEquals("-rw-r--r-- root/root", modes.get(UNIT.toString()), listing);
        assertEquals("-rw-r--r-- root/root", modes.get(CONF.toString()), listing);
        for (String ref : List.of("server", "signaling", "relay", "turn")) {
            assertTrue(modes.containsKey("/usr/share/doc/parley/reference/" + ref + ".conf"), listing);
        }
        // The secret is made on the machine, never shipped: every install gets its own.
        assertFalse(modes.containsKey(SECRET.toString()), listing);
    }

    @Test
    void installsRunsUpgradesRemovesAndPurges() throws Exception {
        Requirements.root();
        Requirements.tool("systemd-analyze", "systemd");
        Requirements.tool("setpriv", "util-linux");
        Requirements.loopbackOnlyNetwork();
        if (Dpkg.present()) {
            Dpkg.purge().assertSucceeded();
        }
        try {
            Command install = Dpkg.install(deb());
            assertTrue(install.succeeded(), install.describe()
                    + "\n(a missing Java runtime: apt-get install default-jre-headless, as .ci/run does)");
            assertEquals("install ok installed", Dpkg.status());

            checkInstalledFiles();
            checkUnit();
            everyExampleSettingIsKnown();
            String secret = Files.readString(SECRET);
            runAsTheUnitDoes();

            // Upgrade in place (the same package again: dpkg runs postinst configure with the old
            // version): the operator's edit of the conffile and the secret both survive.
            Files.writeString(CONF, "\n# edited by the operator\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
            Dpkg.install(deb()).assertSucceeded();
            assertTrue(Files.readString(CONF).contains("# edited by the operator"), "conffile edit lost");
            assertEquals(secret, Files.readString(SECRET), "secret replaced on upgrade");
            assertOwnerModes(SECRET, "parley", "parley", "rw-------");

            // Remove: the program goes, configuration and secret stay for a reinstall.
            Dpkg.remove().assertSucceeded();
            assertEquals("deinstall ok config-files", Dpkg.status());
            assertFalse(Files.exists(JAR), "jar left after remove");
            assertFalse(Files.exists(UNIT), "unit left after remove");
            assertTrue(Files.readString(CONF).contains("# edited by the operator"), "conffile gone after remove");
            assertEquals(secret, Files.readString(SECRET), "secret gone after remove");

            // Purge: configuration, secret and state go too.
            Dpkg.purge().assertSucceeded();
            assertFalse(Dpkg.present(), Dpkg.status());
            assertFalse(Files.exists(ETC), "/etc/parley left after purge");
            assertFalse(Files.exists(STATE), "/var/lib/parley left after purge");
        } finally {
            if (Dpkg.present()) {
                Dpkg.purge().assertSucceeded();
            }
        }
    }

    private static void checkInstalledFiles() throws Exception {
        String[] account = Command.run("getent", "passwd", "parley").assertSucceeded().output().strip().split(":");
        assertEquals("/var/lib/parley", account[5], "parley's home");
        assertEquals("/usr/sbin/nologin", account[6], "parley's shell");
        assertTrue(Integer.parseInt(account[2]) < 1000, "parley is a system user, uid " + account[2]);
        Command.run("getent", "group", "parley").assertSucceeded();

        assertOwnerModes(SECRET, "parley", "parley", "rw-------");
        assertTrue(Files.readString(SECRET).strip().length() >= 32, "secret shorter than 32 characters");
        assertOwnerModes(STATE, "parley", "parley", "rwxr-x---");
        assertOwnerModes(CONF, "root", "parley", "rw-r-----");
        assertTrue(Dpkg.conffiles().contains(CONF.toString()), Dpkg.conffiles());
        assertTrue(Files.readString(CONF).contains("parley.auth.secret-file = \"/etc/parley/parley.secret\""));
        assertTrue(Files.isExecutable(Path.of("/usr/bin/parley")));
        assertTrue(Files.isRegularFile(JAR));
    }

    /**
     * parley.conf's commented examples, uncommented, are settings the installed server accepts: a
     * renamed setting would otherwise leave the example stopping the server with "unknown setting".
     * {@code token} reads and validates the whole configuration before it mints. An example naming a
     * file this machine does not have (a certificate) is given the empty value, which turns it off:
     * its key is still checked.
     */
    private void everyExampleSettingIsKnown() throws Exception {
        Pattern example = Pattern.compile("^# (parley\\.[a-z-]+(?:\\.[a-z-]+)*) = (.*)$");
        StringBuilder uncommented = new StringBuilder();
        int examples = 0;
        for (String line : Files.readAllLines(CONF)) {
            Matcher m = example.matcher(line);
            if (!m.matches()) {
                uncommented.append(line).append('\n');
                continue;
            }
            examples++;
            String value = m.group(2);
            boolean missingFile = value.matches("\"/[^\"]+\"") && !Files.exists(Path.of(value.replace("\"", "")));
            uncommented.append(m.group(1)).append(" = ").append(missingFile ? "\"\"" : value).append('\n');
        }
        assertTrue(examples > 20, "only " + examples + " examples in " + CONF);
        // The remote-relay example is for a node without a relay of its own (a later line wins).
        uncommented.append("parley.relay.enabled = false\n");
        Path all = Files.writeString(dir.resolve("every-example.conf"), uncommented);
        Command token = Command.run(Map.of("PARLEY_CONFIG", all.toString()), "/usr/bin/parley", "token", "--user", "probe");
        assertEquals(0, token.exitCode(), token.describe() + "\nwith\n" + uncommented);
    }

    private static void checkUnit() throws Exception {
        Command verify = Command.run("systemd-analyze", "verify", UNIT.toString());
        assertEquals(0, verify.exitCode(), verify.describe());
        // systemd-analyze exits 0 on a misspelt key or a bad value, saying only that it ignored them.
        assertFalse(verify.output().contains("parley.service"), verify.describe());

        SystemdUnit unit = SystemdUnit.read(UNIT);
        assertEquals("parley", unit.service("User"));
        assertEquals("on-failure", unit.service("Restart"));
        assertTrue(Long.parseLong(unit.service("LimitNOFILE")) >= 65536, "LimitNOFILE below 65536");
        assertEquals("true", unit.service("NoNewPrivileges"));
        assertEquals("strict", unit.service("ProtectSystem"));
        assertEquals("true", unit.service("PrivateTmp"));
        assertTrue(unit.all("Service", "ReadWritePaths").contains(STATE.toString()), "state dir not writable");
        assertTrue(unit.all("Service", "AmbientCapabilities").isEmpty(), "no port below 1024 by default");
        assertEquals("/usr/bin/java", unit.execStart().get(0));
        assertEquals(CONF.toString(), unit.environment().get("PARLEY_CONFIG"));
    }

    /**
     * The server as the unit starts it answers /health and signs in a client whose token the
     * launcher minted from the installed secret; SIGTERM stops it cleanly.
     */
    private void runAsTheUnitDoes() throws Exception {
        SystemdUnit unit = SystemdUnit.read(UNIT);
        try (InstalledService service = InstalledService.start(unit, dir.resolve("journal.log"))) {
            awaitHealthy(service);
            // It runs inside the unit's read-only view of the system (ProtectSystem=strict).
            assertTrue(Files.readAllLines(Path.of("/proc/" + service.pid() + "/mountinfo")).stream()
                    .map(l -> l.split(" ")).anyMatch(f -> f[4].equals("/") && f[5].matches("(^|.*,)ro(,.*|$)")),
                    "service's / is not read-only");

            // As an operator mints a token on the host: the launcher, as root, with the packaged config.
            Command token = Command.run("/usr/bin/parley", "token", "--user", "alice");
            assertEquals(0, token.exitCode(), token.describe());
            JsonNode welcome = SignalingProbe.hello(http, URI.create("ws://127.0.0.1:8080/ws"),
                    token.output().strip(), Duration.ofSeconds(30));
            assertEquals("welcome", welcome.path("type").asText(), welcome.toString());
            assertEquals("alice", welcome.path("user").asText(), welcome.toString());

            // The service read the packaged secret and wrote none of its own in the state directory.
            assertFalse(Files.exists(STATE.resolve("parley.secret")), "service ignored PARLEY_CONFIG");
            // No demo sign-in links in the journal (its readers could sign in as the demo users),
            // although this loopback-only host is one where a server from the shell prints them.
            assertTrue(service.output().contains("no demo sign-in links: parley.demo.sign-in-links = false"),
                    service.output());
            assertFalse(service.output().contains("#token="), service.output());
            assertEquals(0, service.stop(STOP), service.output());
        }
    }

    private void awaitHealthy(InstalledService service) throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!service.isAlive()) {
                throw new AssertionError("service exited:\n" + service.output());
            }
            try {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(HTTP.resolve("/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"status\":\"up\"")) {
                    return;
                }
                last = health.statusCode() + " " + health.body();
            } catch (java.io.IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("/health not up within " + START + " (" + last + "):\n" + service.output());
    }

    private static void assertOwnerModes(Path path, String owner, String group, String mode) throws Exception {
        PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(owner + ":" + group + " " + mode,
                a.owner().getName() + ":" + a.group().getName() + " " + PosixFilePermissions.toString(a.permissions()),
                path.toString());
    }
}
