package org.parley.server;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.parley.cluster.relay.RelayLoadMeter;
import org.parley.cluster.relay.RelayPool;
import org.parley.cluster.relay.RelayPoolConfig;
import org.parley.cluster.relay.RelayRegistration;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;
import org.parley.signaling.media.RelayRoutes;

/**
 * This node's place in the relay pool (docs/cluster.md "Relays"), started before the other parts:
 * connects to Redis, registers this node's relay (when it runs one) and gives signaling the pool's
 * relays (when it runs signaling). Until it has started, signaling's relay calls are refused as
 * unavailable, as with a relay not yet started. A SIGTERM drains the relay: it leaves the pool for
 * new conferences, signaling nodes move its conferences away, and its endpoints are what the
 * drain waits for.
 */
final class RelayPoolPart implements Part, RelayRoutes {

    /** How long one Redis command of the pool may take. */
    static final Duration REDIS_TIMEOUT = Duration.ofSeconds(2);

    private final RelayPoolConfig config;
    private final Optional<RelayPool.Control> signaling;
    private final Optional<RelayLoadMeter> relayLoad;
    private final Supplier<URI> controlUrl;
    private final MeterRegistry registry;
    private final Clock clock;
    private final List<Consumer<Set<String>>> movedListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<java.util.Map<String, Set<String>>>> endpointsMovedListeners =
            new CopyOnWriteArrayList<>();
    private final String node;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RelayRegistration registration;
    private volatile RelayPool pool;

    /**
     * @param signaling how this node's signaling reaches the pool's relays; empty: it runs none
     * @param relayLoad this node's relay's load; empty: it runs no relay
     * @param controlUrl this node's relay control API origin, once HTTP is bound
     * @param node this node's cluster id, under which its signaling publishes its region
     */
    RelayPoolPart(RelayPoolConfig config, Optional<RelayPool.Control> signaling, Optional<RelayLoadMeter> relayLoad,
            Supplier<URI> controlUrl, MeterRegistry registry, Clock clock, String node) {
        this.node = node;
        this.config = config;
        this.signaling = signaling;
        this.relayLoad = relayLoad;
        this.controlUrl = controlUrl;
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "relay-pool";
    }

    @Override
    public List<String> start() {
        RedisURI uri = RedisURI.create(config.redis().get().toString());
        // Lettuce waits 60 s for an answer by default; a placement waits for Redis on a relay-call
        // thread, so a Redis that hangs must cost it no more than a relay that hangs would
        uri.setTimeout(REDIS_TIMEOUT);
        client = RedisClient.create(uri);
        connection = client.connect();
        if (signaling.isPresent()) {
            RelayPool p = new RelayPool(connection.sync(), config, signaling.get(), registry, clock, node);
            movedListeners.forEach(p::onMoved);
            endpointsMovedListeners.forEach(p::onEndpointsMoved);
            p.start();
            pool = p;
        }
        return List.of();
    }

    /** Registers this node's relay; after every part has started, when its control API answers. */
    void register() {
        if (relayLoad.isPresent()) {
            registration = new RelayRegistration(connection.sync(), config, controlUrl, relayLoad.get(), clock);
            registration.start();
        }
    }

    @Override
    public void drain() {
        if (registration != null) {
            registration.drain();
        }
    }

    /** Endpoints still on this node's relay: a drain waits until signaling moved them all away. */
    @Override
    public int liveWork() {
        return registration == null ? 0 : relayLoad.get().endpoints();
    }

    @Override
    public void close() {
        if (registration != null) {
            registration.close();
        }
        if (pool != null) {
            pool.close();
        }
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown();
        }
    }

    @Override
    public boolean configured() {
        return signaling.isPresent();
    }

    @Override
    public boolean single() {
        return false;
    }

    private RelayPool pool() {
        RelayPool p = pool;
        if (p == null) {
            throw new RelayException(RelayException.Reason.UNAVAILABLE, "relay pool not started");
        }
        return p;
    }

    @Override
    public RelayControl relayFor(String conferenceId) {
        return pool().relayFor(conferenceId);
    }

    @Override
    public RelayControl relayFor(String conferenceId, String endpointId) {
        return pool().relayFor(conferenceId, endpointId);
    }

    @Override
    public RelayControl relayFor(String conferenceId, String endpointId, String deviceNode) {
        return pool().relayFor(conferenceId, endpointId, deviceNode);
    }

    @Override
    public void askRegion(String conferenceId, String region) {
        pool().askRegion(conferenceId, region);
    }

    @Override
    public Optional<RelayControl> placed(String conferenceId, String endpointId) {
        RelayPool p = pool;
        return p == null ? Optional.empty() : p.placed(conferenceId, endpointId);
    }

    @Override
    public List<RelayControl> allPlaced(String conferenceId) {
        RelayPool p = pool;
        return p == null ? List.of() : p.allPlaced(conferenceId);
    }

    @Override
    public void released(String conferenceId, String endpointId) {
        RelayPool p = pool;
        if (p != null) {
            p.released(conferenceId, endpointId);
        }
    }

    @Override
    public Optional<RelayControl> placed(String conferenceId) {
        RelayPool p = pool;
        return p == null ? Optional.empty() : p.placed(conferenceId);
    }

    @Override
    public void ended(String conferenceId) {
        RelayPool p = pool;
        if (p != null) {
            p.ended(conferenceId);
        }
    }

    @Override
    public void unreachable(String conferenceId) {
        RelayPool p = pool;
        if (p != null) {
            p.unreachable(conferenceId);
        }
    }

    @Override
    public void onMoved(Consumer<Set<String>> moved) {
        movedListeners.add(moved);
    }

    @Override
    public void onEndpointsMoved(Consumer<java.util.Map<String, Set<String>>> moved) {
        endpointsMovedListeners.add(moved);
    }
}
