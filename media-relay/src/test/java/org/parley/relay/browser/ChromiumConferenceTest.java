package org.parley.relay.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.bwe.BweSettings;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;

/**
 * The browser proof: three headless Chromium instances in one conference through the relay on
 * loopback. Each must decode the other two's camera video and receive their audio; one shares a
 * screen the others decode.
 */
class ChromiumConferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFERENCE = "room";

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** One browser plus the queue of relay offers waiting to be ferried to it. */
    private record Participant(String id, Chromium browser, ConcurrentLinkedQueue<String> offers,
            ConcurrentLinkedQueue<String> speakers) {
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
    }

    @Test
    @Timeout(150)
    void threeBrowsersSeeAndHearEachOtherAndTheScreenShare() throws Exception {
        RelayServer relay = new RelayServer(new RelayConfig("127.0.0.1", 0, 0), new SimpleMeterRegistry(),
                Clock.systemUTC());
        resources.add(relay);
        relay.start();
        RelayControl control = relay.control();
        TestPageServer pages = new TestPageServer();
        resources.add(pages);
        control.createConference(CONFERENCE);

        List<Participant> people = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Chromium browser = new Chromium();
            resources.add(browser);
            browser.open(pages.url("relay-client.html"));
            Participant p = new Participant("user" + i, browser, new ConcurrentLinkedQueue<>(),
                    new ConcurrentLinkedQueue<>());
            control.allocateEndpoint(CONFERENCE, p.id(), new EndpointListener() {
                @Override
                public void onSubscriberOffer(String sdpOffer) {
                    p.offers().add(sdpOffer);
                }

                @Override
                public void onActiveSpeaker(String speakerEndpointId) {
                    p.speakers().add(speakerEndpointId);
                }
            });
            // Small pictures: three browsers encode and decode on a shared two-core machine.
            String offer = browser.runString("return parley.start(arguments[0], 320, 240, 15);", i == 0);
            String answer = control.answerPublisherOffer(CONFERENCE, p.id(), offer);
            assertEquals("ok", browser.runString("return parley.setPublisherAnswer(arguments[0]);", answer));
            people.add(p);
        }

        long deadline = System.nanoTime() + 60_000_000_000L;
        Map<String, JsonNode> last = Map.of();
        while (System.nanoTime() < deadline) {
            ferry(control, people);
            last = collectStats(people);
            if (allSeeAndHear(people, last, 30)) {
                break;
            }
            Thread.sleep(250);
        }
        if (!allSeeAndHear(people, last, 30)) {
            fail("media did not flow between all three browsers: " + last);
        }
        // With the relay's transport-wide sequence numbers on what it sends them, the receiving
        // browsers send transport-wide feedback, which moves each one's downlink estimate.
        long feedbackDeadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < feedbackDeadline && !estimatesMoved(relay, control)) {
            Thread.sleep(250);
        }
        assertTrue(estimatesMoved(relay, control), "no transport-wide feedback from the browsers moved their"
                + " downlink estimates: " + control.stats(CONFERENCE));

        // The relay only ever offered 127.0.0.1 and the page only signalled its 127.0.0.1
        // candidates; Chromium still pairs its other host sockets with the relay's loopback
        // candidate, which keeps that traffic inside the machine.
        for (Participant p : people) {
            JsonNode s = JSON.readTree(p.browser().runString("return parley.stats();"));
            assertTrue(s.get("relayAddresses").size() > 0, "no relay candidates in " + p.id() + "'s stats");
            for (JsonNode address : s.get("relayAddresses")) {
                String a = address.asText();
                assertTrue(a.equals("127.0.0.1"),
                        "relay candidates must be loopback, saw " + a);
            }
        }
    }

    private static void ferry(RelayControl control, List<Participant> people) {
        for (Participant p : people) {
            String offer;
            while ((offer = p.offers().poll()) != null) {
                String answer = p.browser().runString("return parley.answerSubscriberOffer(arguments[0]);", offer);
                control.acceptSubscriberAnswer(CONFERENCE, p.id(), answer);
            }
            @SuppressWarnings("unchecked")
            Map<String, List<String>> candidates = (Map<String, List<String>>) p.browser()
                    .run("return parley.takeCandidates();");
            for (String c : candidates.get("pub")) {
                assertTrue(c.contains(" 127.0.0.1 "), "the page must only signal loopback candidates: " + c);
                control.addRemoteCandidate(CONFERENCE, p.id(), PeerConnectionRole.PUBLISHER, c);
            }
            for (String c : candidates.get("sub")) {
                assertTrue(c.contains(" 127.0.0.1 "), "the page must only signal loopback candidates: " + c);
                control.addRemoteCandidate(CONFERENCE, p.id(), PeerConnectionRole.SUBSCRIBER, c);
            }
        }
    }

    private static Map<String, JsonNode> collectStats(List<Participant> people) throws Exception {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        for (Participant p : people) {
            out.put(p.id(), JSON.readTree(p.browser().runString("return parley.stats();")));
        }
        return out;
    }

    /** Every browser decoded frames of every other's camera and got their audio; all saw the screen. */
    private static boolean estimatesMoved(RelayServer relay, RelayControl control) {
        return relay.metrics().twccFeedbackReceived.count() > 0 && control.stats(CONFERENCE).endpoints().stream()
                .allMatch(e -> e.estimateBps() > 0 && e.estimateBps() != BweSettings.DEFAULTS.initialBps());
    }

    private static boolean allSeeAndHear(List<Participant> people, Map<String, JsonNode> stats, int minFrames) {
        if (stats.size() != people.size()) {
            return false;
        }
        for (Participant receiver : people) {
            JsonNode inbound = stats.get(receiver.id()).get("inbound");
            for (Participant sender : people) {
                if (sender == receiver) {
                    continue;
                }
                JsonNode video = inbound.get(sender.id() + "-video");
                JsonNode audio = inbound.get(sender.id() + "-audio");
                if (video == null || video.get("framesDecoded").asLong() < minFrames) {
                    return false;
                }
                if (audio == null || audio.get("packetsReceived").asLong() < 50) {
                    return false;
                }
            }
            if (receiver != people.get(0)) {
                JsonNode screen = inbound.get(people.get(0).id() + "-screen");
                if (screen == null || screen.get("framesDecoded").asLong() < minFrames) {
                    return false;
                }
            }
        }
        return true;
    }
}
