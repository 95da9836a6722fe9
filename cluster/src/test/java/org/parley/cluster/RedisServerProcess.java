package org.parley.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real redis-server (the Debian package) on a free loopback port, with no persistence, for
 * tests. Under CI (CI=true) a missing redis-server fails the test, so CI can never go green
 * without running it; on a developer's machine without it the test is skipped.
 */
public final class RedisServerProcess implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/redis-server");

    private final Process process;
    private final int port;
    private final Path dir;

    private RedisServerProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Starts one and waits until it accepts connections. */
    public static RedisServerProcess start() {
        requireBinary();
        try {
            Path dir = Files.createTempDirectory("parley-redis");
            int port = freePort();
            Process p = new ProcessBuilder(BINARY.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port),
                    "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--loglevel", "warning")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile())
                    .start();
            RedisServerProcess redis = new RedisServerProcess(p, port, dir);
            redis.awaitListening(Duration.ofSeconds(20));
            return redis;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void requireBinary() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String what = "redis-server is missing: apt-get install redis-server (.ci/run does)";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(what);
        }
        Assumptions.abort(what);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitListening(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("redis.log")));
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException("redis-server did not listen on port " + port + " within " + timeout);
    }

    public int port() {
        return port;
    }

    /** The {@code redis://} URL clients (and {@code parley.cluster.redis}) use. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops it the way a crash would ({@code kill -9}), for fail-over tests. */
    public void kill() {
        process.destroyForcibly();
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> all = files.sorted(Comparator.reverseOrder()).toList();
            for (Path f : all) {
                Files.deleteIfExists(f);
            }
        } catch (IOException ignored) {
            // a temp directory left behind is harmless
        }
    }
}
