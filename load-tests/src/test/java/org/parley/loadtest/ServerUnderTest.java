package org.parley.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server jar as a child process on loopback with every port picked by the kernel; its
 * HTTP port is read from the "listening http tcp" log line.
 */
final class ServerUnderTest implements AutoCloseable {

    static final String SECRET = "load-test-operator-secret-of-32-chars-or-more";
    private static final Pattern HTTP = Pattern.compile("listening http tcp 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path log;
    private final int httpPort;

    private ServerUnderTest(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** @param settings extra server settings as {@code -Dkey=value} arguments */
    static ServerUnderTest start(Path dir, String... settings) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("parley.server.jar", "../server/target/parley-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " missing: run `mvn verify` with -am");
        }
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx256m", "-Dparley.auth.secret=" + SECRET,
                "-Dparley.http.host=127.0.0.1", "-Dparley.http.port=0",
                "-Dparley.relay.bind-address=127.0.0.1", "-Dparley.relay.udp-port=0", "-Dparley.relay.tcp-port=0",
                "-Dparley.turn.listening-ip=127.0.0.1", "-Dparley.turn.listening-port=0"));
        cmd.addAll(List.of(settings));
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        Path log = dir.resolve("server.log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = HTTP.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return new ServerUnderTest(p, log, Integer.parseInt(m.group(1)));
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new AssertionError("server did not start:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + httpPort + "/ws";
    }

    String output() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    static Duration timeout() {
        return Duration.ofSeconds(90);
    }
}
