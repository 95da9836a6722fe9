package org.parley.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.parley.signaling.cluster.Inbox;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;

/** Two nodes on a real redis-server: presence, the bus both ways, typed errors, a node's death. */
class ClusterNodeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RedisServerProcess redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServerProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static ClusterConfig config(String node) {
        return ClusterConfig.from(ConfigFactory.parseMap(Map.of("parley.cluster.redis", redis.url(),
                "parley.cluster.node-id", node, "parley.cluster.heartbeat-interval", "200ms",
                "parley.cluster.node-timeout", "1s")).withFallback(ConfigFactory.defaultReference()));
    }

    /** What a node's signaling would be handed, kept for the test to read. */
    private static final class Recorded implements Inbox {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        @Override
        public void event(String owner, String sessionId, String json) {
            received.add("event " + owner + " " + sessionId + " " + json);
        }

        @Override
        public void moved(String node, String sessionId) {
            received.add("moved " + node + " " + sessionId);
        }

        @Override
        public void request(RemoteDevice from, ObjectNode request, Reply reply) {
            received.add("request " + from.node() + " " + from.user() + " " + request.path("type").asText());
            if (request.path("type").asText().equals("call.accept")) {
                reply.ok(JSON.createObjectNode().put("callId", request.path("callId").asText()));
            } else {
                reply.error(ProtocolException.wrongState("not ringing"));
            }
        }

        @Override
        public void ended(String node, String sessionId, String reason) {
            received.add("ended " + node + " " + sessionId + " " + reason);
        }

        @Override
        public void nodeLost(String node) {
            received.add("lost " + node);
        }

        String next() throws InterruptedException {
            String s = received.poll(20, TimeUnit.SECONDS);
            assertTrue(s != null, "nothing arrived");
            return s;
        }
    }

    /** Bob's devices as {@code node} reads them, once they differ from {@code before} (presence is written asynchronously). */
    private static List<RemoteDevice> devicesOnceChanged(ClusterNode node, List<RemoteDevice> before) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            List<RemoteDevice> now = node.devices("bob").toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (!now.equals(before) || System.nanoTime() > deadline) {
                return now;
            }
            Thread.sleep(20);
        }
    }

    @Test
    void nodesFindEachOthersDevicesTalkOverTheBusAndNoticeADeath() throws Exception {
        Recorded inboxA = new Recorded();
        Recorded inboxB = new Recorded();
        try (ClusterNode a = ClusterNode.connect(config("a")); ClusterNode b = ClusterNode.connect(config("b"))) {
            a.start(inboxA);
            b.start(inboxB);
            RemoteDevice laptop = new RemoteDevice("b", "s-1", "bob", "laptop", "Bob", 1_900_000_000_000L);
            b.signedIn(laptop);
            assertEquals(List.of(laptop), devicesOnceChanged(a, List.of()));

            a.event("b", "s-1", "{\"type\":\"call.incoming\"}");
            assertEquals("event a s-1 {\"type\":\"call.incoming\"}", inboxB.next());

            ObjectNode accept = JSON.createObjectNode().put("type", "call.accept").put("callId", "c-1");
            ObjectNode reply = b.request("a", laptop, accept).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("c-1", reply.path("callId").asText());
            assertEquals("request b bob call.accept", inboxA.next());
            ObjectNode reject = JSON.createObjectNode().put("type", "call.reject").put("callId", "c-1");
            CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                    () -> b.request("a", laptop, reject).toCompletableFuture().join());
            assertEquals(ErrorCode.WRONG_STATE, ((ProtocolException) refused.getCause()).code());
            inboxA.next();

            b.ended("a", "s-1", "hangup");
            assertEquals("ended b s-1 hangup", inboxA.next());

            b.signedOut(laptop);
            assertEquals(List.of(), devicesOnceChanged(a, List.of(laptop)));

            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!a.sees("b")) {
                assertTrue(System.nanoTime() < deadline, "a never saw b heartbeat");
                Thread.sleep(20);
            }
            b.close(); // leaves: its heartbeat key goes, and a notices at its next heartbeat
            assertEquals("lost b", inboxA.next());
        }
    }
}
