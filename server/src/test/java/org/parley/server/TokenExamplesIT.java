package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.client.SignalingClient;
import org.parley.signaling.client.SignalingException;

/**
 * The token-minting examples of docs/tokens.md, taken from the page as they are (so they cannot
 * drift from it), run with the real Node, Python and Java, and the tokens they print presented in
 * {@code hello} to the real server: each signs in as the user and name it claims.
 */
class TokenExamplesIT {

    private static final String SECRET = "token-examples-secret-of-at-least-32-chars";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path PAGE = Path.of(System.getProperty("parley.docs.dir", "../docs"), "tokens.md");

    @TempDir
    Path dir;

    @Test
    void everyExampleMintsATokenTheServerAccepts() throws Exception {
        String page = Files.readString(PAGE);
        Path node = write("mint.js", codeBlock(page, "js"));
        Path python = write("mint.py", codeBlock(page, "python"));
        Path java = write("MintToken.java", codeBlock(page, "java"));
        Map<String, String> tokens = Map.of(
                "node", run(tool("/usr/bin/node", "nodejs"), node.toString()),
                "python", run(tool("/usr/bin/python3", "python3"), python.toString()),
                // JEP 330 source-file mode: the example compiles and runs as written, with java-jwt.
                "java", run(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", javaJwtClassPath(), java.toString()));

        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.add("-Dparley.auth.secret=" + SECRET);
        try (ServerProcess server = ServerProcess.start(dir, jvm)) {
            URI ws = URI.create("ws://127.0.0.1:" + server.port("http", "tcp") + "/ws");
            for (var e : tokens.entrySet()) {
                try (SignalingClient client = SignalingClient.connect(ws, WAIT)) {
                    JsonNode welcome = client.hello(e.getValue(), "backend-" + e.getKey());
                    assertEquals("alice", welcome.path("user").asText(), e.getKey() + ": " + welcome);
                    assertEquals("Alice", welcome.path("displayName").asText(), e.getKey() + ": " + welcome);
                }
            }
            // The same examples with another secret make tokens the server refuses: the check above
            // is the signature's, not a server that takes anything.
            String forged = runWith("an-entirely-different-secret-of-32-chars", tool("/usr/bin/python3", "python3"),
                    python.toString());
            try (SignalingClient client = SignalingClient.connect(ws, WAIT)) {
                SignalingException refused = assertThrows(SignalingException.class,
                        () -> client.hello(forged, "backend-forged"));
                assertEquals("invalid_token", refused.code(), refused.getMessage());
            }
        }
    }

    /** The one fenced block of {@code lang} on the page. */
    private static String codeBlock(String page, String lang) {
        Matcher m = Pattern.compile("(?m)^```" + lang + "\\n(.*?)^```$", Pattern.DOTALL).matcher(page);
        assertTrue(m.find(), "docs/tokens.md has a ```" + lang + " block");
        String code = m.group(1);
        assertTrue(!m.find(), "docs/tokens.md has exactly one ```" + lang + " block");
        return code;
    }

    private Path write(String name, String code) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, code);
        return file;
    }

    /** A tool the test needs; missing, the test fails naming the Debian package. */
    private static String tool(String path, String debianPackage) {
        assertTrue(Files.isExecutable(Path.of(path)), path + " is missing: apt-get install " + debianPackage);
        return path;
    }

    private String run(String... command) throws Exception {
        return runWith(SECRET, command);
    }

    /** Runs an example with PARLEY_SECRET set; returns the one line it prints. */
    private String runWith(String secret, String... command) throws Exception {
        Path out = Files.createTempFile(dir, "mint", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("PARLEY_SECRET", secret);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(String.join(" ", command) + " did not finish within 60 s");
        }
        String output = Files.readString(out).strip();
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + output);
        assertTrue(output.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"),
                String.join(" ", command) + " printed no single JWT:\n" + output);
        return output;
    }

    /** java-jwt and the Jackson jars it needs, as on this test's own class path. */
    private static String javaJwtClassPath() {
        return String.join(File.pathSeparator, Stream.of(JWT.class, ObjectMapper.class, JsonFactory.class,
                JsonProperty.class).map(TokenExamplesIT::jarOf).distinct().toList());
    }

    private static String jarOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
