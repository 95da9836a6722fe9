package org.parley.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.parley.signaling.auth.Role;
import org.parley.signaling.auth.TokenIssuer;

/**
 * The packaged server jar ({@code server/target/parley-server.jar}) running as a child process on
 * loopback, every port chosen by the kernel, as an operator would run it. Its output goes to a
 * file (a pipe can lose the last lines when the child exits) and is read back for the ports.
 */
final class ParleyServer implements AutoCloseable {

    private static final Pattern LISTENER = Pattern.compile("listening (\\S+) (\\S+) (\\S+):(\\d+)");
    private static final Duration START = Duration.ofSeconds(40);

    private final Process process;
    private final Path log;
    private final byte[] secret;
    private final int httpPort;

    private ParleyServer(Process process, Path log, byte[] secret) throws InterruptedException {
        this.process = process;
        this.log = log;
        this.secret = secret;
        this.httpPort = port("http", "tcp");
    }

    /** Starts the server with loopback-only listeners plus {@code extra} -D settings. */
    static ParleyServer start(Path workDir, String... extra) throws IOException, InterruptedException {
        return startWithConfig(workDir, newSecret(), "", extra);
    }

    /** A fresh operator secret (parley.auth.secret; at least 32 characters). */
    static String newSecret() {
        return "e2e-secret-" + Long.toHexString(System.nanoTime()) + "-0123456789abcdef";
    }

    /**
     * As {@link #start(Path, String...)} with a given operator secret and an operator config file
     * holding {@code hocon} (for values -D cannot express, such as lists).
     */
    static ParleyServer startWithConfig(Path workDir, String secret, String hocon, String... extra)
            throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("parley.server.jar", "../server/target/parley-server.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " missing: run `mvn verify` (it packages the server first)");
        }
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-Dparley.auth.secret=" + secret,
                "-Dparley.http.host=127.0.0.1", "-Dparley.http.port=0",
                "-Dparley.relay.bind-address=127.0.0.1", "-Dparley.relay.udp-port=0", "-Dparley.relay.tcp-port=0",
                "-Dparley.turn.listening-ip=127.0.0.1", "-Dparley.turn.listening-port=0"));
        command.addAll(List.of(extra));
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        Path conf = Files.createTempFile(workDir, "parley-", ".conf");
        Files.writeString(conf, hocon);
        command.add("--config");
        command.add(conf.toString());
        Path log = Files.createTempFile(workDir, "server-", ".log");
        Process p = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            return new ParleyServer(p, log, secret.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException | Error | InterruptedException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /**
     * A port free for both UDP and TCP on 127.0.0.1, for settings that must be known before the
     * server starts (the TURN URL handed out in welcome names the TURN port).
     */
    static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                    ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, InetAddress.getByName("127.0.0.1"))) {
                return tcp.getLocalPort();
            } catch (BindException e) {
                // the TCP side was taken: try another
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1");
    }

    /** http://127.0.0.1:PORT — the web app's origin. */
    String origin() {
        return origin("127.0.0.1");
    }

    /** The web app's origin at another of this machine's addresses (the server must listen there). */
    String origin(String address) {
        return "http://" + address + ":" + httpPort;
    }

    /** An access token for {@code user}, signed with this server's secret. */
    String token(String user) {
        return token(user, null, null);
    }

    String token(String user, String room, Role role) {
        return new TokenIssuer(secret, Clock.systemUTC()).issue(user, Optional.of(displayName(user)),
                Optional.ofNullable(room), Optional.ofNullable(role), Duration.ofHours(1));
    }

    private static String displayName(String user) {
        return Character.toUpperCase(user.charAt(0)) + user.substring(1);
    }

    /** The port of the listener the server logged as "listening {part} {proto} host:port". */
    int port(String part, String proto) throws InterruptedException {
        long deadline = System.nanoTime() + START.toNanos();
        while (System.nanoTime() < deadline) {
            boolean exited = !process.isAlive();
            List<String> lines = lines();
            if (lines.stream().anyMatch(l -> l.contains(" up:"))) {
                for (String line : lines) {
                    Matcher m = LISTENER.matcher(line);
                    if (m.find() && m.group(1).equals(part) && m.group(2).equals(proto)) {
                        return Integer.parseInt(m.group(4));
                    }
                }
                throw new AssertionError("no " + part + " " + proto + " listener logged:\n" + output());
            }
            if (exited) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("server not up within " + START + ":\n" + output());
    }

    /** The complete lines so far: a line the server is still writing is left out until its newline. */
    private List<String> lines() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.substring(0, text.lastIndexOf('\n') + 1).lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String output() {
        return String.join("\n", lines());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
