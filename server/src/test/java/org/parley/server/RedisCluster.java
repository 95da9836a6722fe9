package org.parley.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.parley.cluster.RedisServerProcess;
import org.parley.signaling.auth.TokenIssuer;
import org.parley.signaling.client.SignalingClient;

/**
 * A real redis-server and the Parley processes of a cluster test, relay calls on, quick heartbeats
 * (node-timeout 2 s); closing it keeps each node's log under target/{@code logDir} and stops all.
 */
final class RedisCluster implements AutoCloseable {

    static final String SECRET = "cluster-test-secret-of-32-chars!!!";
    static final String API_SECRET = "cluster-test-relay-api-secret";

    private final Path dir;
    private final Duration wait;
    private final String logDir;
    final RedisServerProcess redis = RedisServerProcess.start();
    private final List<String> ids = new ArrayList<>();
    private final List<ServerProcess> nodes = new ArrayList<>();

    RedisCluster(Path dir, Duration wait, String logDir) {
        this.dir = dir;
        this.wait = wait;
        this.logDir = logDir;
    }

    ServerProcess node(String id, String... more) throws Exception {
        List<String> jvm = new ArrayList<>(ServerProcess.loopbackFreePorts());
        jvm.addAll(List.of("-Dparley.auth.secret=" + SECRET, "-Dparley.turn.enabled=false",
                "-Dparley.signaling.calls.media=relay", "-Dparley.cluster.redis=" + redis.url(),
                "-Dparley.cluster.node-id=" + id, "-Dparley.cluster.heartbeat-interval=500ms",
                "-Dparley.cluster.node-timeout=2s"));
        jvm.addAll(List.of(more));
        ServerProcess p = ServerProcess.start(Files.createDirectories(dir.resolve(id)), jvm);
        ids.add(id);
        nodes.add(p);
        return p;
    }

    /** A node that only signals: its calls go to the relays of the others. */
    ServerProcess signalingNode(String id) throws Exception {
        return node(id, "-Dparley.relay.enabled=false", "-Dparley.remote-relay.secret=" + API_SECRET);
    }

    /** A node with a relay in the cluster's pool. */
    ServerProcess relayNode(String id) throws Exception {
        return node(id, "-Dparley.relay.api-secret=" + API_SECRET);
    }

    static String token(String user) {
        return new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC())
                .issue(user, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ofMinutes(10));
    }

    static URI wsUri(ServerProcess node) throws InterruptedException {
        return URI.create("ws://127.0.0.1:" + node.port("http", "tcp") + "/ws");
    }

    SignalingClient connect(ServerProcess node) throws InterruptedException {
        return SignalingClient.connect(wsUri(node), wait).timeout(wait);
    }

    /** Waits until Redis lists {@code n} signed-in devices of {@code user} (nodes announce them asynchronously). */
    void awaitPresence(String user, int n) throws InterruptedException {
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (c.sync().hlen("parley:presence:" + user) != n) {
                assertTrue(System.nanoTime() < deadline, user + "'s devices never appeared in Redis");
                Thread.sleep(20);
            }
        } finally {
            client.shutdown();
        }
    }

    /** Waits until {@code node}'s relay pool counts {@code n} relays. */
    void awaitRelays(ServerProcess node, int n) throws Exception {
        awaitRelays(node, n, wait);
    }

    /** Waits until {@code node}'s relay pool counts {@code n} relays. */
    static void awaitRelays(ServerProcess node, int n, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        HttpClient http = HttpClient.newHttpClient();
        URI metrics = URI.create("http://127.0.0.1:" + node.port("http", "tcp") + "/metrics");
        while (!http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body()
                .contains("\nparley_relay_pool_relays " + n + ".0")) {
            assertTrue(System.nanoTime() < deadline, "the pool never had " + n + " relays");
            Thread.sleep(100);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            Path logs = Files.createDirectories(Path.of("target", logDir));
            for (int i = 0; i < nodes.size(); i++) {
                Files.writeString(logs.resolve("node-" + ids.get(i) + ".log"), nodes.get(i).output());
            }
        } finally {
            nodes.forEach(ServerProcess::close);
            redis.close();
        }
    }
}
