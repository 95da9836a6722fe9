package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.RelayControl;

/**
 * A relay on loopback plus Java clients joined to one conference (or, for load benchmarks,
 * several), for end-to-end tests.
 */
public final class RelayHarness implements AutoCloseable {

    public static final String CONFERENCE = "conf";

    private final RelayServer relay;
    private final RelayControl control;
    private final InetAddress clientAddress;
    private List<String> startLines = List.of();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = new MutableClock(1_000_000);
    private final List<RelayTestClient> clients = new ArrayList<>();
    private final List<ConcurrentLinkedQueue<String>> offers = new ArrayList<>();
    /** The conference each of {@link #clients} joined. */
    private final List<String> clientConferences = new ArrayList<>();
    private final java.util.Set<String> conferences = new java.util.HashSet<>(java.util.Set.of(CONFERENCE));
    private final ConcurrentLinkedQueue<String> speakers = new ConcurrentLinkedQueue<>();

    public RelayHarness() throws Exception {
        this(new RelayConfig("127.0.0.1", 0, 0));
    }

    public RelayHarness(RelayConfig config) throws Exception {
        clientAddress = InetAddress.getLoopbackAddress();
        relay = new RelayServer(config, registry, clock);
        startLines = relay.start();
        control = relay.control();
        control.createConference(CONFERENCE);
    }

    /** Clients of a relay elsewhere (another process), driven through the given control. */
    public RelayHarness(RelayControl remote) {
        this(remote, InetAddress.getLoopbackAddress());
    }

    /** Clients on {@code clientAddress} of a relay elsewhere, driven through the given control. */
    public RelayHarness(RelayControl remote, InetAddress clientAddress) {
        this.clientAddress = clientAddress;
        relay = null;
        control = remote;
        control.createConference(CONFERENCE);
    }

    /** What the relay said when it started (its bound addresses). */
    public List<String> startLines() {
        return startLines;
    }

    /** The in-process relay; null when the harness drives a remote one. */
    public RelayServer relay() {
        return relay;
    }

    /** The relay's clock: endpoint expiry follows it, not the wall clock. */
    public MutableClock clock() {
        return clock;
    }

    public RelayControl control() {
        return control;
    }

    public SimpleMeterRegistry registry() {
        return registry;
    }

    public ConcurrentLinkedQueue<String> speakers() {
        return speakers;
    }

    /** Adds a client; publishes audio and video when {@code publish}. */
    public RelayTestClient join(String name, boolean publish) throws Exception {
        return join(name, publish ? RelayTestClient::publisherOffer : null);
    }

    /** Adds a client that publishes with the offer {@code offer} makes (null: publishes nothing). */
    public RelayTestClient join(String name, java.util.function.Function<RelayTestClient, String> offer)
            throws Exception {
        return join(CONFERENCE, name, offer);
    }

    /**
     * Adds a client to another conference, made on its first join; publishes audio and video when
     * {@code publish}.
     */
    public RelayTestClient join(String conference, String name, boolean publish) throws Exception {
        if (conferences.add(conference)) {
            control.createConference(conference);
        }
        return join(conference, name, publish ? RelayTestClient::publisherOffer : null);
    }

    private RelayTestClient join(String conference, String name,
            java.util.function.Function<RelayTestClient, String> offer) throws Exception {
        RelayTestClient client = new RelayTestClient(name, clientAddress);
        ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
        clients.add(client);
        offers.add(queue);
        clientConferences.add(conference);
        control.allocateEndpoint(conference, name, new EndpointListener() {
            @Override
            public void onSubscriberOffer(String sdpOffer) {
                queue.add(sdpOffer);
            }

            @Override
            public void onActiveSpeaker(String speakerEndpointId) {
                speakers.add(name + "<-" + speakerEndpointId);
            }
        });
        if (offer != null) {
            String answer = control.answerPublisherOffer(conference, name, offer.apply(client));
            client.acceptPublisherAnswer(answer);
        }
        return client;
    }

    /** Ferries pending subscriber offers to their clients and the answers back. */
    public void ferry() {
        for (int i = 0; i < clients.size(); i++) {
            String offer;
            while ((offer = offers.get(i).poll()) != null) {
                RelayTestClient c = clients.get(i);
                control.acceptSubscriberAnswer(clientConferences.get(i), c.name(), c.answerSubscriberOffer(offer));
            }
        }
    }

    /** Ferries and waits (bounded) until the condition holds; fails with the message otherwise. */
    public void await(BooleanSupplier condition, long millis, String message) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < deadline) {
            ferry();
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(20);
        }
        assertTrue(condition.getAsBoolean(), message);
    }

    @Override
    public void close() {
        clients.forEach(RelayTestClient::close);
        if (relay != null) {
            relay.close();
        }
    }
}
