package org.parley.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.parley.signaling.call.CallStore;
import org.parley.signaling.cluster.Inbox;
import org.parley.signaling.room.RoomStore;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.session.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process as one node of a cluster on Redis (docs/cluster.md): heartbeat and the other
 * nodes' liveness ({@link NodeRegistry}), presence ({@link Presence}) and the node-to-node bus
 * ({@link Bus}), behind the {@link Peers} signaling uses.
 */
public final class ClusterNode implements Peers, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    private final ClusterConfig config;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> subscription;
    private final ScheduledExecutorService timers;
    private final NodeRegistry nodes;
    private final Presence presence;
    private final Bus bus;
    private volatile Inbox inbox;
    private volatile RedisSessions sessions;
    private volatile RedisCalls calls;
    private volatile RedisRooms rooms;
    private volatile RedisCallDirectory directory;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The signaling's resume grace, known once it asks for {@link #sessionStore}. */
    private volatile Duration resumeGrace = Duration.ofSeconds(30);

    private ClusterNode(ClusterConfig config) {
        this.config = config;
        // Lettuce's own Netty threads, kept few: Redis traffic is light next to the WebSockets'.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources, config.redis().orElseThrow());
        this.commands = client.connect();
        this.subscription = client.connectPubSub();
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "parley-cluster-heartbeat");
            t.setDaemon(true);
            return t;
        });
        this.nodes = new NodeRegistry(commands.async(), config, this::lost);
        this.presence = new Presence(commands.async(), config, nodes);
        this.bus = new Bus(config.nodeId(), commands.async(), subscription, timers, config.requestTimeout());
    }

    /**
     * Connects to the cluster's Redis and heartbeats once, so that a node that cannot reach Redis
     * fails at start with the reason rather than serving as if alone.
     */
    public static ClusterNode connect(ClusterConfig config) {
        ClusterNode node;
        try {
            node = new ClusterNode(config);
        } catch (RedisConnectionException e) {
            throw new IllegalStateException("parley.cluster.redis: cannot connect to " + config.redis().orElseThrow()
                    + ": " + e.getMessage(), e);
        }
        try {
            node.nodes.heartbeat().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            node.close();
            throw new IllegalStateException("parley.cluster.redis: the first heartbeat failed: " + e, e);
        }
        LOG.info("cluster node {} joined through {}", config.nodeId(), config.redis().orElseThrow());
        return node;
    }

    @Override
    public String node() {
        return config.nodeId();
    }

    @Override
    public boolean clustered() {
        return true;
    }

    @Override
    public void start(Inbox inbox) {
        this.inbox = inbox;
        bus.start(inbox);
        long beat = config.heartbeatInterval().toMillis();
        long refreshEvery = Math.max(1, config.presenceTtl().toMillis() / 3 / beat);
        long[] beats = {0};
        long sessionsEvery = Math.max(1, sessionRefresh().toMillis() / beat);
        timers.scheduleWithFixedDelay(() -> {
            try {
                // One at a time: the next waits until this one's round trips are done.
                nodes.heartbeat().get(config.nodeTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (++beats[0] % refreshEvery == 0) {
                    presence.refresh();
                }
                RedisSessions s = sessions;
                RedisCalls c = calls;
                if (s != null && beats[0] % sessionsEvery == 0) {
                    s.refresh();
                    if (c != null) {
                        c.refresh();
                    }
                    RedisCallDirectory dir = directory;
                    if (dir != null) {
                        dir.refresh();
                    }
                    RedisRooms r = rooms;
                    if (r != null) {
                        r.refresh();
                    }
                }
            } catch (Exception e) {
                LOG.warn("cluster heartbeat failed: {}", e.toString());
            }
        }, beat, beat, TimeUnit.MILLISECONDS);
    }

    private void lost(String node) {
        LOG.warn("cluster node {} stopped heartbeating: its devices left this node's calls", node);
        Inbox i = inbox;
        if (i != null) {
            i.nodeLost(node);
        }
    }

    /** True when {@code node} heartbeat at this node's last look. */
    boolean sees(String node) {
        return nodes.isAlive(node);
    }

    @Override
    public CompletionStage<List<RemoteDevice>> devices(String user) {
        return presence.devices(user);
    }

    @Override
    public void signedIn(RemoteDevice device) {
        presence.signedIn(device);
    }

    @Override
    public void signedOut(RemoteDevice device) {
        presence.signedOut(device);
    }

    @Override
    public void event(String node, String sessionId, String json) {
        bus.event(node, sessionId, json);
    }

    @Override
    public CompletionStage<ObjectNode> request(String node, RemoteDevice from, ObjectNode request) {
        return bus.request(node, from, request);
    }

    @Override
    public void ended(String node, String sessionId, String reason) {
        bus.ended(node, sessionId, reason);
    }

    @Override
    public void moved(String node, String sessionId) {
        bus.moved(node, sessionId);
    }

    @Override
    public CompletionStage<Boolean> release(String node, String sessionId) {
        return bus.release(node, sessionId).thenApply(fields -> true);
    }

    /**
     * Sessions in Redis: each key lives the resume grace plus one refresh period past the last
     * refresh (a third of the grace), so the clients of a node that died have at least the grace.
     */
    @Override
    public synchronized SessionStore sessionStore(Duration resumeGrace, int maxEvents) {
        if (sessions == null) {
            this.resumeGrace = resumeGrace;
            sessions = new RedisSessions(commands.async(), config.nodeId(), nodes,
                    resumeGrace.plus(sessionRefresh()), maxEvents, config.nodeTimeout().plus(config.heartbeatInterval()));
        }
        return sessions;
    }

    /** Calls in Redis: their records live as long as the sessions' keys and are renewed with them. */
    @Override
    public synchronized CallStore callStore() {
        if (calls == null) {
            calls = new RedisCalls(commands.async(), config.nodeId(), resumeGrace.plus(sessionRefresh()));
        }
        return calls;
    }

    /** Every user's calls in Redis: a user's hash lives as long as the sessions' keys and is renewed with them. */
    @Override
    public synchronized org.parley.signaling.cluster.CallDirectory callDirectory() {
        if (directory == null) {
            directory = new RedisCallDirectory(commands.async(), nodes, resumeGrace.plus(sessionRefresh()));
        }
        return directory;
    }

    @Override
    public void ring(String node, RemoteDevice device, String callId) {
        bus.ring(node, device, callId);
    }

    /** Per-user message counters in Redis, shared by every node. */
    @Override
    public org.parley.signaling.cluster.RateCounters rateCounters(java.time.Clock clock) {
        return new RedisRateCounters(commands.async());
    }

    /** Rooms' owners in Redis: their keys live as long as the sessions' and are renewed with them. */
    @Override
    public synchronized RoomStore roomStore() {
        if (rooms == null) {
            rooms = new RedisRooms(commands.async(), config.nodeId(), nodes, resumeGrace.plus(sessionRefresh()));
        }
        return rooms;
    }

    /** How often this node renews its sessions' keys in Redis. */
    private Duration sessionRefresh() {
        Duration third = resumeGrace.dividedBy(3);
        return third.compareTo(config.heartbeatInterval()) < 0 ? config.heartbeatInterval() : third;
    }

    /** Leaves the cluster: presence and heartbeat deleted, connections closed. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        timers.shutdownNow();
        try {
            presence.leave().get(2, TimeUnit.SECONDS);
            nodes.leave().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("leaving the cluster: {}", e.toString());
        }
        subscription.close();
        commands.close();
        client.shutdown();
        resources.shutdown();
    }
}
