package org.parley.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.parley.signaling.cluster.Inbox;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.wire.ErrorCode;
import org.parley.signaling.wire.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages between nodes, addressed by node id: one Redis pub/sub channel per node. Redis keeps
 * the order of the messages one connection publishes, and this node reads its channel on one
 * connection, so the events and replies a node sends another arrive in the order sent. Pub/sub
 * is fire-and-forget: a message to a node that is not subscribed is lost, which is what a dead
 * node's messages should be; a forwarded request then times out.
 *
 * <p>Kinds: {@code event} (to a device's node), {@code request} and {@code reply} (a device's
 * request to the node owning its call), {@code ended} (a device's session is over), {@code moved}
 * (the sender took a device's session over from a node that died), {@code ring} (a device of the
 * callee signed in at the sender while a call of the receiver rings), {@code release} (a client
 * of the receiver's session resumed at the sender: hand the session over, answered by a
 * {@code reply}; docs/cluster.md "Sessions in Redis").
 */
final class Bus {

    private static final Logger LOG = LoggerFactory.getLogger(Bus.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String self;
    private final RedisAsyncCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> subscription;
    private final ScheduledExecutorService timers;
    private final Duration requestTimeout;
    private final AtomicLong nextRequest = new AtomicLong();
    private final Map<Long, CompletableFuture<ObjectNode>> pending = new ConcurrentHashMap<>();
    private volatile Inbox inbox;

    Bus(String self, RedisAsyncCommands<String, String> redis, StatefulRedisPubSubConnection<String, String> subscription,
            ScheduledExecutorService timers, Duration requestTimeout) {
        this.self = self;
        this.redis = redis;
        this.subscription = subscription;
        this.timers = timers;
        this.requestTimeout = requestTimeout;
    }

    /** Subscribes to this node's channel; what arrives goes to {@code inbox}. */
    void start(Inbox inbox) {
        this.inbox = inbox;
        subscription.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                receive(message);
            }
        });
        subscription.sync().subscribe(Keys.bus(self));
    }

    void event(String node, String sessionId, String json) {
        ObjectNode m = message("event");
        m.put("session", sessionId);
        m.put("json", json);
        send(node, m);
    }

    CompletableFuture<ObjectNode> request(String node, RemoteDevice from, ObjectNode body) {
        ObjectNode m = message("request");
        m.set("device", JSON.valueToTree(from));
        m.set("body", body);
        return ask(node, m, "node " + node + ", which runs this call or room, did not answer");
    }

    /** Asks {@code node} to hand session {@code sessionId} over to this node; fails if it does not. */
    CompletableFuture<ObjectNode> release(String node, String sessionId) {
        ObjectNode m = message("release");
        m.put("session", sessionId);
        return ask(node, m, "node " + node + ", which holds the session, did not answer");
    }

    /** Sends {@code m} with a new request id; its reply completes the answer, else it fails after request-timeout. */
    private CompletableFuture<ObjectNode> ask(String node, ObjectNode m, String silence) {
        long id = nextRequest.incrementAndGet();
        CompletableFuture<ObjectNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        timers.schedule(() -> {
            if (pending.remove(id) != null) {
                answer.completeExceptionally(new ProtocolException(ErrorCode.INTERNAL, silence));
            }
        }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
        m.put("rid", id);
        send(node, m);
        return answer;
    }

    void ring(String node, RemoteDevice device, String callId) {
        ObjectNode m = message("ring");
        m.set("device", JSON.valueToTree(device));
        m.put("call", callId);
        send(node, m);
    }

    void moved(String node, String sessionId) {
        ObjectNode m = message("moved");
        m.put("session", sessionId);
        send(node, m);
    }

    void ended(String node, String sessionId, String reason) {
        ObjectNode m = message("ended");
        m.put("session", sessionId);
        m.put("reason", reason);
        send(node, m);
    }

    private ObjectNode message(String kind) {
        ObjectNode m = JSON.createObjectNode();
        m.put("kind", kind);
        m.put("from", self);
        return m;
    }

    private void send(String node, ObjectNode m) {
        try {
            redis.publish(Keys.bus(node), JSON.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void receive(String text) {
        JsonNode m;
        try {
            m = JSON.readTree(text);
            String from = m.path("from").asText();
            switch (m.path("kind").asText()) {
                case "event" -> inbox.event(from, m.path("session").asText(), m.path("json").asText());
                case "request" -> inbox.request(JSON.treeToValue(m.get("device"), RemoteDevice.class),
                        (ObjectNode) m.get("body"), reply(from, m.path("rid").asLong()));
                case "reply" -> answered(m);
                case "moved" -> inbox.moved(from, m.path("session").asText());
                case "release" -> inbox.release(from, m.path("session").asText(), reply(from, m.path("rid").asLong()));
                case "ring" -> inbox.ring(JSON.treeToValue(m.get("device"), RemoteDevice.class), m.path("call").asText());
                case "ended" -> inbox.ended(from, m.path("session").asText(), m.path("reason").asText());
                default -> LOG.warn("dropped a bus message of unknown kind from {}", from);
            }
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("dropped an unreadable bus message: {}", e.toString());
        }
    }

    private Inbox.Reply reply(String node, long rid) {
        return new Inbox.Reply() {
            @Override
            public void ok(ObjectNode fields) {
                ObjectNode m = message("reply");
                m.put("rid", rid);
                m.set("fields", fields);
                send(node, m);
            }

            @Override
            public void error(ProtocolException e) {
                ObjectNode m = message("reply");
                m.put("rid", rid);
                m.put("error", e.code().wireName());
                m.put("message", e.getMessage());
                send(node, m);
            }
        };
    }

    private void answered(JsonNode m) {
        CompletableFuture<ObjectNode> answer = pending.remove(m.path("rid").asLong());
        if (answer == null) {
            return; // timed out already
        }
        if (m.has("error")) {
            answer.completeExceptionally(new ProtocolException(errorCode(m.path("error").asText()),
                    m.path("message").asText()));
        } else {
            JsonNode fields = m.get("fields");
            answer.complete(fields instanceof ObjectNode o ? o : null);
        }
    }

    private static ErrorCode errorCode(String wire) {
        try {
            return ErrorCode.valueOf(wire.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return ErrorCode.INTERNAL;
        }
    }
}
