package org.parley.relay.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Janus (the Debian package, {@code /usr/bin/janus}) as a child process for
 * {@link RelayLoadBenchmark}: a configuration of its own in a temporary folder with only the HTTP
 * transport (loopback) and the VideoRoom plugin loaded, ICE gathering on one interface only, and
 * one room ({@value #ROOM}) for one VP8/Opus publisher. Janus (libnice) never gathers on
 * {@code lo}, so scripts/janus-compare.sh runs the benchmark in a network namespace of its own
 * whose only other interface is a veth with a private address and no route anywhere
 * ({@code -Dbench.janus-interface}, default {@value #DEFAULT_INTERFACE}). Its CPU (user + system, all threads) is
 * read from the kernel as the relay process's is.
 */
final class JanusProcess implements AutoCloseable {

    static final long ROOM = 1234;
    static final String DEFAULT_INTERFACE = "janus0";
    private static final String INTERFACE = System.getProperty("bench.janus-interface", DEFAULT_INTERFACE);
    /** Where Debian installs Janus's plugins and transports. */
    private static final Path LIBS = Path.of("/usr/lib/x86_64-linux-gnu/janus");

    private final Path dir;
    private final Process process;
    private final URI api;

    private JanusProcess(Path dir, Process process, URI api) {
        this.dir = dir;
        this.process = process;
        this.api = api;
    }

    static JanusProcess start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("parley-janus-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path transports = Files.createDirectories(dir.resolve("transports"));
        Path none = Files.createDirectories(dir.resolve("none"));
        Files.createSymbolicLink(plugins.resolve("libjanus_videoroom.so"), LIBS.resolve("plugins/libjanus_videoroom.so"));
        Files.createSymbolicLink(transports.resolve("libjanus_http.so"), LIBS.resolve("transports/libjanus_http.so"));
        Files.writeString(dir.resolve("janus.jcfg"), """
                general: {
                  configs_folder = "%1$s"
                  plugins_folder = "%2$s"
                  transports_folder = "%3$s"
                  events_folder = "%4$s"
                  loggers_folder = "%4$s"
                  debug_level = 3
                }
                media: {
                  ipv6 = false
                }
                nat: {
                  ice_enforce_list = "%5$s"
                }
                """.formatted(dir, plugins, transports, none, INTERFACE));
        Files.writeString(dir.resolve("janus.transport.http.jcfg"), """
                general: {
                  json = "compact"
                  base_path = "/janus"
                  http = true
                  port = %d
                  ip = "127.0.0.1"
                }
                admin: {
                  admin_http = false
                }
                """.formatted(port));
        // bitrate 0: no REMB cap on the publisher; one publisher, as the benchmark has
        Files.writeString(dir.resolve("janus.plugin.videoroom.jcfg"), """
                room-%d: {
                  description = "parley bench"
                  publishers = 1
                  bitrate = 0
                  videocodec = "vp8"
                  audiocodec = "opus"
                }
                """.formatted(ROOM));
        Process p = new ProcessBuilder("janus", "-F", dir.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("janus.log").toFile()).start();
        URI api = URI.create("http://127.0.0.1:" + port + "/janus");
        JanusProcess janus = new JanusProcess(dir, p, api);
        janus.awaitApi();
        return janus;
    }

    /** Waits (bounded) until Janus answers on its HTTP API. */
    private void awaitApi() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest info = HttpRequest.newBuilder(URI.create(api + "/info")).timeout(Duration.ofSeconds(2)).GET().build();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(info, HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(100);
        }
        close();
        throw new IOException("Janus did not answer on " + api + "; its log: "
                + Files.readString(dir.resolve("janus.log")));
    }

    /**
     * The address Janus gathers on (the first IPv4 address of its interface); the clients bind
     * to it too, as ice4j does not pair a loopback candidate with another address.
     */
    static java.net.InetAddress address() throws IOException {
        java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(INTERFACE);
        if (nic == null) {
            throw new IOException("no interface " + INTERFACE + ": run the Janus benchmark through scripts/janus-compare.sh");
        }
        return nic.inetAddresses().filter(a -> a instanceof java.net.Inet4Address).findFirst()
                .orElseThrow(() -> new IOException(INTERFACE + " has no IPv4 address"));
    }

    URI api() {
        return api;
    }

    /** CPU the process has used so far (user + system, every thread), in nanoseconds. */
    long cpuNanos() {
        return process.info().totalCpuDuration().orElseThrow().toNanos();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
