package org.parley.relay.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.client.LoopbackAlias;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;

/**
 * ICE-TCP (RFC 6544) with Chromium: two browsers whose only way to the relay is its passive TCP
 * candidate see and hear each other, on both the connection they publish on and the one they
 * receive on.
 *
 * <p>ice4j's TCP listener refuses loopback addresses, so the relay binds a private address,
 * {@value #ADDRESS}, that this test adds to the loopback interface of the test JVM's own network
 * namespace (tools/loopback-netns/bin/java; the JVM is root there) and removes afterwards: the
 * traffic never leaves the namespace. UDP candidates are removed from every SDP either side sees,
 * so ICE can only pair Chromium's active TCP candidate with the relay's passive one.
 *
 * <p>One more step stands in for "the relay is another host": for a destination that is one of
 * the host's own addresses, Linux uses that same address as the source, so Chromium's connection
 * would come from {@value #ADDRESS}. WebRTC drops an ICE-TCP connection whose kernel-chosen source
 * address is neither one of its network's addresses (here 127.0.0.1, the only one Chromium gathers)
 * nor loopback (TCPConnection::OnConnect in webrtc's p2p/base/tcp_port.cc): the relay then sees a
 * connection closed before its first byte and ICE never starts. The test therefore gives the
 * local route of {@value #ADDRESS} the source hint 127.0.0.1, as a remote client's own address
 * would be.
 */
class ChromiumIceTcpTest {

    private static final String ADDRESS = "10.254.0.1";
    private static final String CONFERENCE = "tcp";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The selected candidate pair of both of the page's connections: protocol and relay address. */
    private static final String SELECTED_PAIRS = """
            const out = {};
            for (const [name, pc] of [['pub', parley.pub], ['sub', parley.sub]]) {
              const s = await pc.getStats();
              out[name] = 'none';
              s.forEach(x => {
                if (x.type === 'transport' && x.selectedCandidatePairId) {
                  const p = s.get(x.selectedCandidatePairId);
                  out[name] = s.get(p.localCandidateId).protocol + ' ' + s.get(p.remoteCandidateId).address;
                }
              });
            }
            return JSON.stringify(out);""";

    private record Participant(String id, Chromium browser, ConcurrentLinkedQueue<String> offers) {
    }

    @Test
    @Timeout(120)
    void twoBrowsersSeeAndHearEachOtherOverIceTcpOnly() throws Exception {
        try (LoopbackAlias address = LoopbackAlias.add(ADDRESS);
                RelayServer relay = new RelayServer(new RelayConfig(ADDRESS, 0, 0), new SimpleMeterRegistry(),
                        Clock.systemUTC());
                TestPageServer pages = new TestPageServer();
                Chromium aliceBrowser = new Chromium();
                Chromium bobBrowser = new Chromium()) {
            relay.start();
            RelayControl control = relay.control();
            control.createConference(CONFERENCE);
            List<Participant> people = List.of(join(control, pages, "alice", aliceBrowser),
                    join(control, pages, "bob", bobBrowser));

            long deadline = System.nanoTime() + 60_000_000_000L;
            Map<String, JsonNode> stats = Map.of();
            while (System.nanoTime() < deadline) {
                ferry(control, people);
                stats = collectStats(people);
                if (bothSeeAndHear(stats)) {
                    break;
                }
                Thread.sleep(250);
            }
            if (!bothSeeAndHear(stats)) {
                fail("media did not flow between the two browsers over ICE-TCP: " + stats + "; relay drops "
                        + relay.metrics().dropsByReason() + "; selected pairs " + selectedPairs(people));
            }
            for (Participant p : people) {
                JsonNode pairs = JSON.readTree(p.browser().runString(SELECTED_PAIRS));
                assertEquals("tcp " + ADDRESS, pairs.get("pub").asText(), p.id() + "'s publisher connection runs over TCP");
                assertEquals("tcp " + ADDRESS, pairs.get("sub").asText(), p.id() + "'s subscriber connection runs over TCP");
            }
            assertTrue(relay.metrics().audioPacketsIn.count() >= 100 && relay.metrics().videoPacketsIn.count() >= 100,
                    "the relay received both browsers' media");
        }
    }

    /** Opens the page, allocates the endpoint and publishes camera and microphone, over TCP only. */
    private static Participant join(RelayControl control, TestPageServer pages, String id, Chromium browser)
            throws Exception {
        browser.open(pages.url("relay-client.html"));
        Participant p = new Participant(id, browser, new ConcurrentLinkedQueue<>());
        control.allocateEndpoint(CONFERENCE, id, new EndpointListener() {
            @Override
            public void onSubscriberOffer(String sdpOffer) {
                p.offers().add(sdpOffer);
            }
        });
        String offer = withoutUdpCandidates(browser.runString("return parley.start(false, 320, 240, 15);"));
        String answer = control.answerPublisherOffer(CONFERENCE, id, offer);
        assertTrue(answer.contains(" tcp ") && answer.contains(" " + ADDRESS + " ") && answer.contains("tcptype passive"),
                "the relay announces its passive ICE-TCP candidate:\n" + answer);
        assertEquals("ok", browser.runString("return parley.setPublisherAnswer(arguments[0]);",
                withoutUdpCandidates(answer)));
        return p;
    }

    /** Relay offers to the browsers (UDP candidates removed), answers and TCP candidates back. */
    private static void ferry(RelayControl control, List<Participant> people) {
        for (Participant p : people) {
            String offer;
            while ((offer = p.offers().poll()) != null) {
                String answer = p.browser().runString("return parley.answerSubscriberOffer(arguments[0]);",
                        withoutUdpCandidates(offer));
                control.acceptSubscriberAnswer(CONFERENCE, p.id(), withoutUdpCandidates(answer));
            }
            @SuppressWarnings("unchecked")
            Map<String, List<String>> candidates = (Map<String, List<String>>) p.browser()
                    .run("return parley.takeCandidates();");
            candidates.get("pub").stream().filter(c -> !isUdp(c)).forEach(
                    c -> control.addRemoteCandidate(CONFERENCE, p.id(), PeerConnectionRole.PUBLISHER, c));
            candidates.get("sub").stream().filter(c -> !isUdp(c)).forEach(
                    c -> control.addRemoteCandidate(CONFERENCE, p.id(), PeerConnectionRole.SUBSCRIBER, c));
        }
    }

    private static Map<String, JsonNode> collectStats(List<Participant> people) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Participant p : people) {
            out.put(p.id(), JSON.readTree(p.browser().runString("return parley.stats();")));
        }
        return out;
    }

    private static Map<String, String> selectedPairs(List<Participant> people) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Participant p : people) {
            out.put(p.id(), p.browser().runString(SELECTED_PAIRS));
        }
        return out;
    }

    /** Each browser decoded the other's camera video and received its audio. */
    private static boolean bothSeeAndHear(Map<String, JsonNode> stats) {
        if (stats.size() != 2) {
            return false;
        }
        for (var receiver : stats.entrySet()) {
            String sender = receiver.getKey().equals("alice") ? "bob" : "alice";
            JsonNode inbound = receiver.getValue().get("inbound");
            JsonNode video = inbound.get(sender + "-video");
            JsonNode audio = inbound.get(sender + "-audio");
            if (video == null || video.get("framesDecoded").asLong() < 30
                    || audio == null || audio.get("packetsReceived").asLong() < 50) {
                return false;
            }
        }
        return true;
    }

    private static boolean isUdp(String candidateLine) {
        return candidateLine.toLowerCase().contains(" udp ");
    }

    private static String withoutUdpCandidates(String sdp) {
        return Arrays.stream(sdp.split("\r\n"))
                .filter(l -> !(l.startsWith("a=candidate:") && isUdp(l)))
                .collect(Collectors.joining("\r\n")) + "\r\n";
    }
}
