package org.parley.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (the Debian package) run by a test in front of Parley: in the foreground, one
 * process (no workers to switch users for), with its prefix, configuration, temporary files and
 * log in a folder of the test's own, terminating HTTPS on a loopback port. Its configuration is
 * the recipe of docs/operations.md ("nginx").
 */
final class Nginx implements AutoCloseable {

    private static final String BINARY = "/usr/sbin/nginx";

    private final Process process;
    private final Path log;
    private final int port;

    private Nginx(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts nginx terminating TLS with {@code certificate}/{@code key} and proxying to Parley's {@code upstreamPort}. */
    static Nginx start(Path prefix, Path certificate, Path key, int upstreamPort, Duration wait) throws Exception {
        Files.createDirectories(prefix.resolve("tmp"));
        int port = freePort();
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, """
                daemon off;
                master_process off;
                pid %1$s/nginx.pid;
                error_log stderr info;
                events { worker_connections 512; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;

                    # --- the recipe of docs/operations.md, with the test's ports and files ---
                    map $http_upgrade $connection_upgrade {
                        default upgrade;
                        ''      close;
                    }
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        server_name parley.test;
                        ssl_certificate     %3$s;
                        ssl_certificate_key %4$s;
                        ssl_protocols TLSv1.2 TLSv1.3;

                        location / {
                            proxy_pass http://127.0.0.1:%5$d;
                            proxy_http_version 1.1;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_set_header Host $host;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_set_header X-Forwarded-Proto $scheme;
                            proxy_read_timeout 3600s;
                            proxy_send_timeout 3600s;
                        }
                    }
                }
                """.formatted(prefix.toAbsolutePath(), port, certificate.toAbsolutePath(), key.toAbsolutePath(),
                upstreamPort));
        Path log = prefix.resolve("nginx.log");
        // -e: the error log from the start, before the configuration names it (else /var/log/nginx).
        Process p = new ProcessBuilder(List.of(BINARY, "-p", prefix.toAbsolutePath() + "/", "-c", conf.toString(),
                "-e", "stderr")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Nginx nginx = new Nginx(p, log, port);
        nginx.awaitListening(wait);
        return nginx;
    }

    int port() {
        return port;
    }

    String output() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no nginx log: " + e + ")";
        }
    }

    private void awaitListening(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("nginx exited with " + process.exitValue() + ":\n" + output());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("nginx not listening on " + port + " within " + wait + ":\n" + output());
    }

    /** A port free now; the test's network namespace has nobody else to take it before nginx does. */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
