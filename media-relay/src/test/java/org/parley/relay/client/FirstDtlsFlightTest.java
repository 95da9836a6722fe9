package org.parley.relay.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.control.EndpointListener;

/**
 * Fast joins (docs/relay.md): a client's first DTLS flight, sent the moment its own connectivity
 * check succeeded and before the relay's check of the same path has, is not lost. The relay used
 * to drop it (ice4j accepted datagrams only from addresses its own checks had proved) and the
 * join waited for the client's retransmission: a second in a browser without an RTT estimate.
 */
class FirstDtlsFlightTest {

    @Test
    @Timeout(60)
    void theRelayAnswersAClientHelloSentBeforeItsOwnCheckSucceeded() throws Exception {
        try (RelayHarness h = new RelayHarness();
                FirstFlightClient client = new FirstFlightClient()) {
            h.join("alice", true); // the relay offers a subscriber connection once there is media to receive
            ConcurrentLinkedQueue<String> offers = new ConcurrentLinkedQueue<>();
            h.control().allocateEndpoint(RelayHarness.CONFERENCE, "early", new EndpointListener() {
                @Override
                public void onSubscriberOffer(String sdpOffer) {
                    offers.add(sdpOffer);
                }
            });
            h.await(() -> !offers.isEmpty(), 15_000, "the relay made no subscriber offer");
            h.control().acceptSubscriberAnswer(RelayHarness.CONFERENCE, "early", client.answer(offers.poll()));
            client.connect();
            h.await(() -> client.isConnected() || client.failure() != null, 20_000,
                    "no DTLS handshake within 20 s: the relay lost the ClientHello sent once before its own check"
                            + " succeeded");
            assertTrue(client.isConnected(), "DTLS failed: " + client.failure());
        }
    }
}
