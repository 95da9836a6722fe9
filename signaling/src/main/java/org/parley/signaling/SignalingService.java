package org.parley.signaling;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.parley.relay.control.RelayControl;
import org.parley.signaling.auth.TokenVerifier;
import org.parley.signaling.call.CallIndex;
import org.parley.signaling.call.CallRecords;
import org.parley.signaling.call.CallStore;
import org.parley.signaling.call.CallSetup;
import org.parley.signaling.call.CallTeardown;
import org.parley.signaling.call.Calls;
import org.parley.signaling.call.EndReason;
import org.parley.signaling.call.HandOff;
import org.parley.signaling.call.InCallSignals;
import org.parley.signaling.call.IncomingCallWebhook;
import org.parley.signaling.e2ee.KeyMessages;
import org.parley.signaling.cluster.CallDirectory;
import org.parley.signaling.cluster.Peers;
import org.parley.signaling.cluster.RemoteDevice;
import org.parley.signaling.cluster.Routes;
import org.parley.signaling.media.RelayLink;
import org.parley.signaling.media.RelayRoutes;
import org.parley.signaling.media.SingleRelay;
import org.parley.signaling.room.RoomService;
import org.parley.signaling.room.RoomStore;
import org.parley.signaling.session.IceServers;
import org.parley.signaling.session.LocalTurn;
import org.parley.signaling.session.Session;
import org.parley.signaling.session.SessionController;
import org.parley.signaling.session.SessionStore;
import org.parley.signaling.session.Sessions;
import org.parley.signaling.session.Visitors;
import org.parley.signaling.transport.Connection;
import org.parley.signaling.transport.ConnectionListener;
import org.parley.signaling.transport.SignalingFrameHandler;
import org.parley.signaling.wire.CloseCode;
import org.parley.signaling.wire.Request;

/**
 * Call control: the WebSocket endpoint every client talks to (docs/protocol.md). Wires sessions,
 * one-to-one calls, rooms and the relay link together and runs them on one {@link SignalingLoop}.
 */
public final class SignalingService implements AutoCloseable {

    /** The path clients connect to. */
    public static final String WEBSOCKET_PATH = "/ws";

    private final SignalingConfig config;
    private final SignalingLoop loop;
    private final SignalingMetrics metrics;
    private final Sessions sessions = new Sessions();
    private final SessionController sessionController;
    private final Calls calls = new Calls();
    private final CallTeardown teardown;
    private final RoomService rooms;
    private final Dispatcher dispatcher;
    private final RelayLink relayLink;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final ConnectionListener listener = new Listener();
    private volatile boolean draining;
    /** A clustered node that drains hands its calls and rooms over instead of ending them. */
    private boolean clustered;
    private volatile boolean handingOver;
    private volatile int lastLiveCalls;
    private volatile int lastConnectedCalls;

    public SignalingService(SignalingConfig config, byte[] secret, Optional<RelayControl> relay,
            MeterRegistry registry, Clock clock) {
        this(config, secret, relay, registry, SignalingLoop.realTime(clock), Optional::empty);
    }

    /** With the TURN server of this process, which welcome advertises when no ICE URLs are configured. */
    public SignalingService(SignalingConfig config, byte[] secret, Optional<RelayControl> relay,
            MeterRegistry registry, Clock clock, Supplier<Optional<LocalTurn>> localTurn) {
        this(config, secret, relay, registry, SignalingLoop.realTime(clock), localTurn);
    }

    /**
     * With the relays conferences are placed on: one relay ({@link SingleRelay}) or a cluster's pool,
     * and the TURN server of this process.
     */
    public SignalingService(SignalingConfig config, byte[] secret, RelayRoutes relays,
            MeterRegistry registry, Clock clock, Supplier<Optional<LocalTurn>> localTurn) {
        this(config, secret, relays, registry, SignalingLoop.realTime(clock), localTurn);
    }

    /** With a given loop; tests pass one whose timers follow a manual clock. */
    public SignalingService(SignalingConfig config, byte[] secret, Optional<RelayControl> relay,
            MeterRegistry registry, SignalingLoop loop) {
        this(config, secret, relay, registry, loop, Optional::empty);
    }

    /** With a given loop and the relays conferences are placed on. */
    public SignalingService(SignalingConfig config, byte[] secret, RelayRoutes relays,
            MeterRegistry registry, SignalingLoop loop) {
        this(config, secret, relays, registry, loop, Optional::empty);
    }

    /**
     * As one node of a cluster whose other nodes {@code peers} reaches (docs/cluster.md);
     * {@link Peers#NONE} for one process alone.
     */
    public SignalingService(SignalingConfig config, byte[] secret, RelayRoutes relays,
            MeterRegistry registry, Clock clock, Supplier<Optional<LocalTurn>> localTurn, Peers peers) {
        this(config, secret, relays, registry, SignalingLoop.realTime(clock), localTurn, peers);
    }

    private SignalingService(SignalingConfig config, byte[] secret, Optional<RelayControl> relay,
            MeterRegistry registry, SignalingLoop loop, Supplier<Optional<LocalTurn>> localTurn) {
        this(config, secret, new SingleRelay(relay), registry, loop, localTurn);
    }

    private SignalingService(SignalingConfig config, byte[] secret, RelayRoutes relays,
            MeterRegistry registry, SignalingLoop loop, Supplier<Optional<LocalTurn>> localTurn) {
        this(config, secret, relays, registry, loop, localTurn, Peers.NONE);
    }

    private SignalingService(SignalingConfig config, byte[] secret, RelayRoutes relays,
            MeterRegistry registry, SignalingLoop loop, Supplier<Optional<LocalTurn>> localTurn, Peers peers) {
        this.config = config;
        this.loop = loop;
        Clock clock = loop.clock();
        this.metrics = new SignalingMetrics(registry);
        this.sessionController = new SessionController(config, new TokenVerifier(secret, clock),
                new IceServers(config.ice(), secret, clock, localTurn), sessions, loop, clock);
        RelayLink relayLink = new RelayLink(relays, loop, clock);
        this.relayLink = relayLink;
        this.teardown = new CallTeardown(calls, relayLink, metrics);
        Optional<IncomingCallWebhook> webhook = config.webhook().url()
                .map(u -> new IncomingCallWebhook(u, config.webhook().timeout(), metrics));
        Visitors visitors = new Visitors(peers, loop);
        CallSetup setup = new CallSetup(config.calls(), config.e2ee(), calls, sessions, visitors, teardown, relayLink,
                loop, clock, metrics, webhook, () -> draining);
        InCallSignals inCall = new InCallSignals(calls, teardown, metrics, clock);
        HandOff handOff = new HandOff(calls, sessions, visitors, relayLink, setup);
        this.rooms = new RoomService(config.rooms(), config.e2ee(), secret, sessions, calls, teardown, relayLink, loop, clock, metrics,
                () -> draining);
        relayLink.resolvers(setup::relayEndpoint, rooms::relayEndpoint);
        relayLink.roomMembers(rooms::participantIds);
        relayLink.onRestart(() -> {
            setup.relayRestarted();
            rooms.relayRestarted();
        });
        relayLink.onMoved(moved -> {
            setup.relayMoved(moved);
            rooms.relayMoved(moved);
        });
        relayLink.onEndpointsMoved(moved -> {
            setup.relayEndpointsMoved(moved);
            rooms.relayEndpointsMoved(moved);
        });
        relayLink.deviceNodes(s -> s.isVisitor() ? visitors.nodeOf(s.id()) : null);
        sessionController.observe(setup);
        sessionController.observe(rooms);

        Dispatcher d = new Dispatcher(sessionController, metrics, loop);
        d.register("ping", sessionController::ping);
        d.register("refresh", sessionController::refresh);
        d.registerDeferred("call.invite", setup::invite);
        d.registerDeferred("call.accept", setup::accept);
        d.register("call.reject", setup::reject);
        d.register("call.cancel", setup::cancel);
        d.register("call.hangup", inCall::hangup);
        d.register("call.connected", inCall::connected);
        d.register("call.offer", inCall::sdp);
        d.register("call.answer", inCall::sdp);
        d.register("call.candidate", inCall::candidate);
        d.register("call.media", inCall::media);
        d.registerDeferred("call.transfer", handOff::transfer);
        d.registerDeferred("call.pull", handOff::pull);
        d.registerDeferred("relay.offer", relayLink::offer);
        d.registerDeferred("relay.answer", relayLink::answer);
        d.registerDeferred("relay.candidate", relayLink::candidate);
        d.registerDeferred("media.constraints", relayLink::constraints);
        rooms.register(d::register, d::registerDeferred);
        d.register("e2ee.key", new KeyMessages(rooms::deliverKey, inCall::deliverKey)::handle);
        this.dispatcher = d;
        d.limitUsers(new UserRateLimit(config.userRateLimit(), peers.rateCounters(clock), clock, loop));
        if (peers.clustered()) {
            clustered = true;
            Routes routes = new Routes();
            d.forwardThrough(routes, peers);
            SessionStore store = peers.sessionStore(config.resumeGracePeriod(), config.maxUnackedEvents());
            visitors.useStore(store);
            CallStore callStore = peers.callStore();
            CallRecords records = new CallRecords(calls, sessions, visitors, peers.node(), callStore, clock);
            records.onAdopt(setup::attach);
            records.sessionsIn(store);
            ClusterInbox inbox = new ClusterInbox(peers, loop, sessions, visitors, routes, sessionController, d,
                    store, loop, config.resumeGracePeriod(), callStore, records);
            CallDirectory directory = peers.callDirectory();
            new CallIndex(calls, directory, peers.node());
            setup.busyElsewhere(user -> directory.calls(user).thenApplyAsync(found -> found.stream()
                    .anyMatch(e -> e.answered() && !e.owner().equals(peers.node())), loop));
            inbox.calls(directory, setup::ringLate);
            CallForwarding callForwarding = new CallForwarding(peers, directory, routes, calls, setup, store, loop);
            d.routeFirst("call.invite", callForwarding::invite);
            d.routeFirst("call.pull", callForwarding::pull);
            RoomStore roomStore = peers.roomStore();
            rooms.storeIn(roomStore, v -> RemoteDevice.of(v, v.isVisitor() ? visitors.nodeOf(v.id()) : peers.node()));
            RoomTakeover roomTakeover = new RoomTakeover(peers.node(), roomStore, rooms, routes, sessions, visitors,
                    callStore, loop);
            inbox.rooms(roomTakeover);
            RoomForwarding roomForwarding = new RoomForwarding(peers, roomStore, routes, rooms, loop, store, roomTakeover);
            d.routeFirst("room.join", roomForwarding::join);
            d.routeFirst("room.create", roomForwarding::create);
            sessionController.storeIn(store, loop, peers.node(), inbox);
            sessionController.observe(inbox);
            peers.start(inbox);
            metrics.gauge("parley.cluster.visitors", "Devices at other nodes in calls this node owns", visitors::size);
        }
        metrics.knownTypes(d.types());
        metrics.gauge("parley.signaling.sessions", "Signed-in sessions, connected or awaiting resume", sessions::size);
        metrics.gauge("parley.signaling.calls.live", "One-to-one calls not yet ended", calls::size);
    }

    /**
     * Adds the WebSocket handlers to a pipeline that already decodes and aggregates HTTP; the
     * caller then passes the upgrade request on.
     */
    public void installWebSocket(ChannelPipeline pipeline) {
        pipeline.addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WEBSOCKET_PATH)
                .checkStartsWith(true)
                .maxFramePayloadLength(config.maxFrameBytes())
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .build()));
        pipeline.addLast(new WebSocketFrameAggregator(config.maxFrameBytes()));
        pipeline.addLast(new SignalingFrameHandler(config, listener, loop.clock()));
    }

    /**
     * Stops accepting new calls; live calls go on. In a cluster the node hands everything over
     * instead (docs/cluster.md "A node drains"): every client is told to reconnect elsewhere (1001,
     * docs/protocol.md §10) and resumes at another node with the same session, nothing ends here,
     * and once this node has left the cluster the others take its calls and rooms over as from a
     * node that died, within a heartbeat.
     */
    public void drain() {
        draining = true;
        if (clustered) {
            handingOver = true;
            loop.execute(() -> {
                for (Connection c : List.copyOf(connections)) {
                    c.close(CloseCode.GOING_AWAY);
                }
            });
        }
    }

    public boolean draining() {
        return draining;
    }

    /** Calls and conferences not yet ended, connected or not. */
    public int liveCalls() {
        lastLiveCalls = onLoop(() -> calls.size() + rooms.liveRooms(), lastLiveCalls);
        return lastLiveCalls;
    }

    /**
     * Calls and conferences that a connected device still takes part in: what a drain waits for. One
     * whose devices have all gone waits only for a resume, which a stopping server cannot honour, so
     * it does not hold the stop up (it ends with {@code server_shutdown} when the server closes).
     */
    public int liveCallsWithConnectedDevice() {
        lastConnectedCalls = onLoop(() -> {
            Set<String> callIds = new HashSet<>();
            Set<String> roomIds = new HashSet<>();
            for (Session s : sessions.attached()) {
                callIds.addAll(s.calls());
                roomIds.addAll(s.rooms());
            }
            return callIds.size() + roomIds.size();
        }, lastConnectedCalls);
        return lastConnectedCalls;
    }

    /** Counts on the loop, which owns the state; {@code previous} if the loop does not answer in time. */
    private int onLoop(Supplier<Integer> count, int previous) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        loop.execute(() -> f.complete(count.get()));
        try {
            return f.get(1, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return previous;
        }
    }

    /** Ends every call ({@code server_shutdown}), closes every connection (1001), stops the loop. */
    @Override
    public void close() {
        draining = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            // handed over: the calls go on at the nodes that take them; their records stay in Redis
            for (org.parley.signaling.call.Call c : handingOver ? List.<org.parley.signaling.call.Call>of() : calls.all()) {
                teardown.end(c, EndReason.SERVER_SHUTDOWN, null);
            }
            for (Connection c : List.copyOf(connections)) {
                c.close(CloseCode.GOING_AWAY);
            }
            done.complete(null);
        });
        try {
            done.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        loop.close();
        relayLink.close();
    }

    /** Netty threads report here; everything with state moves onto the loop. */
    private final class Listener implements ConnectionListener {

        @Override
        public void opened(Connection c) {
            connections.add(c);
            metrics.connectionOpened();
            loop.execute(() -> sessionController.opened(c));
            if (handingOver) {
                // a client that came back here: this node is leaving, another one takes it
                c.close(CloseCode.GOING_AWAY);
            }
        }

        @Override
        public void received(Connection c, Request r) {
            loop.execute(() -> dispatcher.dispatch(c, r));
        }

        @Override
        public void closed(Connection c) {
            if (connections.remove(c)) {
                metrics.connectionClosed();
            }
            loop.execute(() -> sessionController.closed(c));
        }

        @Override
        public void refused(String errorCode) {
            metrics.error(errorCode);
        }
    }
}
