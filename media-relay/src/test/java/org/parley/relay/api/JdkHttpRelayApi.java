package org.parley.relay.api;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.parley.relay.control.RelayControl;

/**
 * Serves {@link RelayHttpApi} with the JDK's HTTP server on a free loopback port, the same
 * adapter the server's router is (method, path+query, Authorization, body), for tests and for
 * the load benchmark's relay process.
 */
public final class JdkHttpRelayApi implements AutoCloseable {

    private final HttpServer http;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService workers = Executors.newCachedThreadPool();

    public JdkHttpRelayApi(RelayControl control, String secret) throws IOException {
        RelayHttpApi api = new RelayHttpApi(control, secret, timer);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.setExecutor(workers);
        http.createContext(RelayHttpApi.PREFIX, exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            api.handle(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                    exchange.getRequestHeaders().getFirst("Authorization"), body).thenAccept(r -> {
                        try {
                            exchange.getResponseHeaders().add("Content-Type", r.contentType());
                            exchange.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                            exchange.getResponseBody().write(r.body());
                        } catch (IOException ignored) {
                            // client went away
                        } finally {
                            exchange.close();
                        }
                    });
        });
        http.start();
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    @Override
    public void close() {
        http.stop(0);
        timer.shutdownNow();
        workers.shutdownNow();
    }
}
