package org.parley.relay.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayTestClient;
import org.parley.relay.control.RelayException;

/** The HTTP control API and its client against each other, with real media through the relay. */
class RemoteRelayControlTest {

    private RelayHarness harness;
    private JdkHttpRelayApi http;
    private RemoteRelayControl remote;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        harness = new RelayHarness();
        http = new JdkHttpRelayApi(harness.control(), "s3cret");
        base = http.base();
        remote = new RemoteRelayControl(base, "s3cret");
    }

    @AfterEach
    void stop() {
        remote.close();
        http.close();
        harness.close();
    }

    @Test
    @Timeout(60)
    void mediaFlowsWhenSignalingDrivesTheRelayOverHttp() throws Exception {
        remote.createConference("far");
        ConcurrentLinkedQueue<String> bobOffers = new ConcurrentLinkedQueue<>();
        RelayTestClient alice = new RelayTestClient("alice", InetAddress.getLoopbackAddress());
        RelayTestClient bob = new RelayTestClient("bob", InetAddress.getLoopbackAddress());
        try {
            remote.allocateEndpoint("far", "alice", sdp -> { });
            remote.allocateEndpoint("far", "bob", bobOffers::add);
            alice.acceptPublisherAnswer(remote.answerPublisherOffer("far", "alice", alice.publisherOffer()));
            long deadline = System.nanoTime() + 15_000_000_000L;
            while (System.nanoTime() < deadline && !(alice.isPublisherConnected() && bob.isSubscriberConnected())) {
                String offer = bobOffers.poll();
                if (offer != null) {
                    remote.acceptSubscriberAnswer("far", "bob", bob.answerSubscriberOffer(offer));
                }
                Thread.sleep(20);
            }
            assertTrue(alice.isPublisherConnected() && bob.isSubscriberConnected(), "clients did not connect");
            for (int i = 0; i < 5; i++) {
                alice.sendAudio(("hello " + i).getBytes(StandardCharsets.US_ASCII), 40);
            }
            ReceivedPacket first = bob.poll(3000);
            assertTrue(first != null && new String(first.payload(), StandardCharsets.US_ASCII).startsWith("hello"),
                    "bob hears alice through a relay controlled over HTTP");
            assertEquals(2, remote.stats("far").endpoints().size());
            remote.setSourceMuted("far", "alice", org.parley.relay.control.SourceKind.AUDIO, true);
            remote.expireEndpoint("far", "bob");
            assertEquals(1, remote.stats("far").endpoints().size());
        } finally {
            alice.close();
            bob.close();
        }
    }

    @Test
    @Timeout(30)
    void refusalsArriveAsTypedErrors() {
        RelayException unknown = assertThrows(RelayException.class, () -> remote.stats("nope"));
        assertEquals(RelayException.Reason.UNKNOWN_CONFERENCE, unknown.reason());
        remote.createConference("c");
        remote.allocateEndpoint("c", "e", sdp -> { });
        RelayException exists = assertThrows(RelayException.class, () -> remote.allocateEndpoint("c", "e", sdp -> { }));
        assertEquals(RelayException.Reason.ENDPOINT_EXISTS, exists.reason());
        RelayException bad = assertThrows(RelayException.class, () -> remote.answerPublisherOffer("c", "e", "garbage"));
        assertEquals(RelayException.Reason.BAD_SDP, bad.reason());
        RelayException wrongState = assertThrows(RelayException.class,
                () -> remote.acceptSubscriberAnswer("c", "e", "v=0\r\n"));
        assertTrue(wrongState.reason() == RelayException.Reason.BAD_SDP
                || wrongState.reason() == RelayException.Reason.WRONG_STATE);

        RelayException noReceiver = assertThrows(RelayException.class, () -> remote.setReceiverConstraints("c",
                "nobody", org.parley.relay.control.ReceiverConstraints.NONE));
        assertEquals(RelayException.Reason.UNKNOWN_ENDPOINT, noReceiver.reason());

        try (RemoteRelayControl intruder = new RemoteRelayControl(base, "wrong")) {
            RelayException denied = assertThrows(RelayException.class, () -> intruder.createConference("x"));
            assertEquals(RelayException.Reason.UNAVAILABLE, denied.reason());
            assertTrue(denied.getMessage().contains("UNAUTHORIZED"));
        }
        assertThrows(RelayException.class, () -> remote.stats("x"), "the intruder created nothing");
    }
}
