package org.parley.relay.cascade;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.api.JdkHttpRelayApi;
import org.parley.relay.api.RemoteRelayControl;
import org.parley.relay.client.ReceivedPacket;
import org.parley.relay.client.RelayHarness;
import org.parley.relay.client.RelayTestClient;
import org.parley.relay.control.ConferenceStats;
import org.parley.relay.control.LinkSpec;
import org.parley.relay.control.RelayControl;
import org.parley.relay.control.RelayException;

/**
 * Two real relays, one conference spread over both and linked through their HTTP control APIs:
 * what a client publishes on relay A reaches a client on relay B (and back) with payloads intact
 * and the receiver's own SSRC and sequence numbers; B's receiver's NACK is answered and its PLI
 * reaches the publisher on A.
 */
class CascadeLinkTest {

    private static final String SECRET = "s3cret-for-cascade-tests";
    private static final RelayConfig LINKED = new RelayConfig("127.0.0.1", 0, 0).withCascadePort(0);

    @Test
    @Timeout(90)
    void mediaCrossesTheLinkBothWaysWithNackAndPliAnswered() throws Exception {
        try (RelayHarness a = new RelayHarness(LINKED); RelayHarness b = new RelayHarness(LINKED);
                JdkHttpRelayApi httpA = new JdkHttpRelayApi(a.control(), SECRET);
                JdkHttpRelayApi httpB = new JdkHttpRelayApi(b.control(), SECRET);
                RemoteRelayControl apiA = new RemoteRelayControl(httpA.base(), SECRET);
                RemoteRelayControl apiB = new RemoteRelayControl(httpB.base(), SECRET)) {
            RelayTestClient alice = a.join("alice", true);
            RelayTestClient bob = b.join("bob", true);
            link(apiA, apiB, 7);

            awaitVideoFlowing(a, b, alice, bob);
            sendAndCheck(alice, bob, a, b);
            awaitVideoFlowing(b, a, bob, alice);
            sendAndCheck(bob, alice, b, a);

            // bob (on B) NACKs a packet of alice's video: answered (from what crossed the link)
            List<ReceivedPacket> video = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                alice.sendVideoFrame(("frame " + i).getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(5);
            }
            ReceivedPacket p;
            while (video.size() < 10 && (p = poll(a, b, bob, 3000)) != null) {
                if (p.payloadType() == 96) {
                    video.add(p);
                }
            }
            assertEquals(10, video.size(), "alice's frames reach bob across the link");
            ReceivedPacket lost = video.get(4);
            assertTrue(bob.sendNack(lost.ssrc(), lost.sequence()));
            ReceivedPacket rtx = null;
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (rtx == null && System.nanoTime() < deadline) {
                ReceivedPacket r = poll(a, b, bob, 500);
                if (r != null && r.payloadType() == 97) {
                    rtx = r;
                }
            }
            assertNotNull(rtx, "the NACKed packet is resent to bob");
            assertEquals(lost.sequence(), ((rtx.payload()[0] & 0xff) << 8) | (rtx.payload()[1] & 0xff));
            byte[] original = new byte[rtx.payload().length - 2];
            System.arraycopy(rtx.payload(), 2, original, 0, original.length);
            assertArrayEquals(lost.payload(), original, "the resent packet is the one bob lost");

            // bob's PLI crosses the link and reaches alice, the publisher
            int plisBefore = alice.plisReceived();
            long pliDeadline = System.nanoTime() + 10_000_000_000L;
            while (alice.plisReceived() <= plisBefore) {
                assertTrue(System.nanoTime() < pliDeadline, "bob's PLI did not reach alice across the link");
                // again every 100 ms: each relay forwards one request per layer per 300 ms
                assertTrue(bob.sendPli(lost.ssrc()));
                Thread.sleep(100);
            }

            // unlinked: B withdraws alice's sources; nothing more crosses
            apiB.unlinkConference(RelayHarness.CONFERENCE, "relay-a");
            apiA.unlinkConference(RelayHarness.CONFERENCE, "relay-b");
            while (poll(a, b, bob, 200) != null) {
                // what was on its way
            }
            for (int i = 0; i < 10; i++) {
                alice.sendVideoFrame(("after " + i).getBytes(StandardCharsets.US_ASCII));
            }
            assertNull(poll(a, b, bob, 500), "nothing crosses a dropped link");
            assertEquals(0, a.relay().linkSocket().linkCount());
        }
    }

    @Test
    @Timeout(60)
    void aLinkWithOtherKeysCarriesNothingAndBadLinkRequestsAreRefused() throws Exception {
        try (RelayHarness a = new RelayHarness(LINKED); RelayHarness b = new RelayHarness(LINKED);
                JdkHttpRelayApi httpA = new JdkHttpRelayApi(a.control(), SECRET);
                RemoteRelayControl apiA = new RemoteRelayControl(httpA.base(), SECRET)) {
            RelayTestClient alice = a.join("alice", true);
            RelayTestClient bob = b.join("bob", false);
            byte[] keys = keys();
            byte[] other = keys();
            apiA.linkConference(RelayHarness.CONFERENCE, "relay-b",
                    new LinkSpec(9, b.control().linkAddress(), keys, true));
            b.control().linkConference(RelayHarness.CONFERENCE, "relay-a",
                    new LinkSpec(9, a.control().linkAddress(), other, false));
            a.await(alice::isPublisherConnected, 15_000, "alice did not connect");
            long end = System.nanoTime() + 2_000_000_000L;
            while (System.nanoTime() < end) {
                alice.sendVideoFrame("secret".getBytes(StandardCharsets.US_ASCII));
                b.ferry();
                Thread.sleep(20);
            }
            assertTrue(b.relay().linkSocket().dropped.sum() > 0, "B dropped what it could not authenticate");
            assertTrue(b.control().stats(RelayHarness.CONFERENCE).endpoints().get(0).forwarded().isEmpty(),
                    "bob is offered nothing of alice's");

            RelayException refused = assertThrows(RelayException.class, () -> apiA.linkConference(
                    RelayHarness.CONFERENCE, "relay-c", new LinkSpec(10, "not-an-address", keys, true)));
            assertEquals(RelayException.Reason.WRONG_STATE, refused.reason());
            assertThrows(RelayException.class, () -> apiA.linkConference(RelayHarness.CONFERENCE, "relay-c",
                    new LinkSpec(11, b.control().linkAddress(), new byte[5], true)));
            assertThrows(RelayException.class, () -> apiA.linkConference(RelayHarness.CONFERENCE, "relay-b",
                    new LinkSpec(12, b.control().linkAddress(), keys, true)), "one link per peer");
            assertEquals(1, a.relay().linkSocket().linkCount(), "the refused requests changed nothing");
        }
    }

    /**
     * The link loses every 20th datagram each way (a lossy hop between the relays): B NACKs what
     * did not cross, A resends it from its cache, and bob on B ends with every frame alice sent,
     * his own NACKs for what was still missing asking the link again (issue 16, "NACK/PLI/RTCP
     * crossing the link").
     */
    @Test
    @Timeout(120)
    void packetsLostOnTheLinkAreRepairedAcrossIt() throws Exception {
        try (RelayHarness a = new RelayHarness(LINKED); RelayHarness b = new RelayHarness(LINKED);
                LossyLinkProxy proxy = new LossyLinkProxy(address(a.control().linkAddress()),
                        address(b.control().linkAddress()), 20)) {
            RelayTestClient alice = a.join("alice", true);
            RelayTestClient bob = b.join("bob", false);
            byte[] keys = keys();
            a.control().linkConference(RelayHarness.CONFERENCE, "relay-b", new LinkSpec(5, proxy.address(), keys, true));
            b.control().linkConference(RelayHarness.CONFERENCE, "relay-a", new LinkSpec(5, proxy.address(), keys, false));
            awaitVideoFlowing(a, b, alice, bob);
            proxy.loseNextNacks(4);

            int frames = 300;
            for (int i = 0; i < frames; i++) {
                alice.sendVideoFrame(("loss " + i).getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(3);
            }
            for (int i = 0; i < 5; i++) {
                // a tail, so that bob can tell the last frames are missing should they be lost
                alice.sendVideoFrame("tail".getBytes(StandardCharsets.US_ASCII));
            }
            java.util.Set<Integer> frameNumbers = new java.util.TreeSet<>();
            java.util.Set<Integer> sequences = new java.util.HashSet<>();
            long[] videoSsrc = {-1};
            int[] range = {-1, -1};
            long deadline = System.nanoTime() + 40_000_000_000L;
            while (frameNumbers.size() < frames && System.nanoTime() < deadline) {
                ReceivedPacket p;
                while ((p = poll(a, b, bob, 400)) != null) {
                    collect(p, frameNumbers, sequences, videoSsrc, range);
                }
                // what is still missing, bob NACKs as a receiver would: held until the link repairs it
                for (int seq = range[0]; range[0] >= 0 && seq != range[1]; seq = (seq + 1) & 0xFFFF) {
                    if (!sequences.contains(seq)) {
                        bob.sendNack(videoSsrc[0], seq);
                    }
                }
            }
            assertTrue(proxy.droppedToB.get() > 0, "the hop lost datagrams on their way to B");
            java.util.List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < frames; i++) {
                if (!frameNumbers.contains(i)) {
                    missing.add(i);
                }
            }
            assertEquals(List.of(), missing, "every frame reaches bob in spite of the lossy link ("
                    + proxy.droppedToB.get() + " datagrams lost towards B, " + proxy.droppedToA.get() + " towards A; link NACKs "
                    + b.registry().counter("parley_relay_link_nacks_sent").count() + ", repairs sent "
                    + a.registry().counter("parley_relay_link_repairs_sent").count() + ", received "
                    + b.registry().counter("parley_relay_link_repairs_received").count() + ")");
            assertTrue(b.registry().counter("parley_relay_link_nacks_sent").count() > 0, "B NACKed over the link");
            assertTrue(a.registry().counter("parley_relay_link_repairs_sent").count() > 0, "A resent from its cache");
            assertTrue(b.registry().counter("parley_relay_link_repairs_received").count() > 0, "B took the repairs");
        }
    }

    /** Notes one video packet bob got (a retransmission by RTX too): its frame number and sequence. */
    private static void collect(ReceivedPacket p, java.util.Set<Integer> frameNumbers, java.util.Set<Integer> sequences,
            long[] videoSsrc, int[] range) {
        byte[] payload = p.payload();
        int seq = p.sequence();
        if (p.payloadType() == 97 && payload.length >= 2) {
            // RFC 4588 section 4: the original sequence number, then the original payload
            seq = ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
            payload = java.util.Arrays.copyOfRange(payload, 2, payload.length);
        } else if (p.payloadType() != 96) {
            return;
        } else {
            videoSsrc[0] = p.ssrc();
            if (range[0] < 0) {
                range[0] = seq;
                range[1] = seq;
            } else if (((seq - range[1]) & 0xFFFF) < 0x8000) {
                range[1] = seq;
            }
        }
        sequences.add(seq);
        String text = new String(payload, StandardCharsets.US_ASCII);
        int at = text.indexOf("loss ");
        if (at >= 0) {
            frameNumbers.add(Integer.parseInt(text.substring(at + 5)));
        }
    }

    private static java.net.InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new java.net.InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /**
     * B drops its end of the link (as a relay that died would): within a few seconds A's
     * conference stats, read over A's HTTP control API as the signaling node reads them, show the
     * link down, and the relay counts it; B's link made again, it is up again.
     */
    @Test
    @Timeout(60)
    void aLinkWhosePeerFallsSilentIsReportedDown() throws Exception {
        try (RelayHarness a = new RelayHarness(LINKED); RelayHarness b = new RelayHarness(LINKED);
                JdkHttpRelayApi httpA = new JdkHttpRelayApi(a.control(), SECRET);
                RemoteRelayControl apiA = new RemoteRelayControl(httpA.base(), SECRET)) {
            byte[] keys = keys();
            apiA.linkConference(RelayHarness.CONFERENCE, "relay-b", new LinkSpec(21, b.control().linkAddress(), keys, true));
            b.control().linkConference(RelayHarness.CONFERENCE, "relay-a",
                    new LinkSpec(21, a.control().linkAddress(), keys, false));
            ConferenceStats.LinkStats up = linkState(apiA);
            assertTrue(up.up(), "a linked peer that announces is up: " + up);
            assertEquals("relay-b", up.peerRelay());

            b.control().unlinkConference(RelayHarness.CONFERENCE, "relay-a");
            ConferenceStats.LinkStats down = awaitLink(apiA, false, 15_000);
            assertEquals(1, down.downs(), "counted once: " + down);
            assertTrue(down.silentMillis() >= 3000, "down after 3 s of silence: " + down);
            assertEquals(1.0, a.registry().counter("parley_relay_link_downs").count());

            b.control().linkConference(RelayHarness.CONFERENCE, "relay-a",
                    new LinkSpec(21, a.control().linkAddress(), keys, false));
            ConferenceStats.LinkStats again = awaitLink(apiA, true, 15_000);
            assertEquals(1, again.downs(), "up again, the count stays: " + again);
        }
    }

    private static ConferenceStats.LinkStats linkState(RelayControl api) {
        List<ConferenceStats.LinkStats> links = api.stats(RelayHarness.CONFERENCE).links();
        assertEquals(1, links.size(), "one link: " + links);
        return links.get(0);
    }

    /** Polls the conference's stats (bounded) until its one link is up (or down). */
    private static ConferenceStats.LinkStats awaitLink(RelayControl api, boolean up, long millis)
            throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        ConferenceStats.LinkStats s = linkState(api);
        while (s.up() != up && System.nanoTime() < deadline) {
            Thread.sleep(100);
            s = linkState(api);
        }
        assertEquals(up, s.up(), "the link is " + (up ? "up" : "down") + " within " + millis + " ms: " + s);
        return s;
    }

    private static void link(RelayControl a, RelayControl b, int id) {
        byte[] keys = keys();
        a.linkConference(RelayHarness.CONFERENCE, "relay-b", new LinkSpec(id, b.linkAddress(), keys, true));
        b.linkConference(RelayHarness.CONFERENCE, "relay-a", new LinkSpec(id, a.linkAddress(), keys, false));
    }

    private static byte[] keys() {
        byte[] k = new byte[LinkSocket.KEYING_MATERIAL_LENGTH];
        new SecureRandom().nextBytes(k);
        return k;
    }

    /** Sends 40 audio and 40 video packets; all arrive, rewritten, payloads intact, in order. */
    private static void sendAndCheck(RelayTestClient from, RelayTestClient to, RelayHarness fromRelay,
            RelayHarness toRelay) throws Exception {
        for (int i = 0; i < 40; i++) {
            from.sendAudio(("audio " + i).getBytes(StandardCharsets.US_ASCII), 30);
            from.sendVideoFrame(("video " + i).getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(5);
        }
        Map<Long, List<ReceivedPacket>> bySsrc = new HashMap<>();
        ReceivedPacket p;
        int total = 0;
        while (total < 80 && (p = poll(fromRelay, toRelay, to, 3000)) != null) {
            bySsrc.computeIfAbsent(p.ssrc(), k -> new ArrayList<>()).add(p);
            total++;
        }
        assertEquals(2, bySsrc.size(), to.name() + " gets one audio and one video stream of " + from.name());
        for (List<ReceivedPacket> stream : bySsrc.values()) {
            assertEquals(40, stream.size(), "every packet crosses the link");
            ReceivedPacket first = stream.get(0);
            assertNotEquals(from.audioSsrc(), first.ssrc(), "SSRCs are rewritten per receiver");
            assertNotEquals(from.videoSsrc(), first.ssrc(), "SSRCs are rewritten per receiver");
            for (int i = 0; i < stream.size(); i++) {
                ReceivedPacket r = stream.get(i);
                assertEquals((first.sequence() + i) & 0xFFFF, r.sequence(), "sequence numbers are continuous");
                String text = new String(r.payload(), StandardCharsets.US_ASCII);
                assertTrue(text.endsWith(" " + i), "payload " + i + " arrives intact, got " + text);
            }
        }
    }

    private static ReceivedPacket poll(RelayHarness x, RelayHarness y, RelayTestClient c, long millis)
            throws InterruptedException {
        x.ferry();
        y.ferry();
        return c.poll(millis);
    }

    /**
     * Waits for both clients, then sends video until a frame crosses (bounded): the receiver's
     * relay learns of the source from the link's announcement, offers it, and the receiver
     * answers; then drains what is still on its way.
     */
    private static void awaitVideoFlowing(RelayHarness fromRelay, RelayHarness toRelay, RelayTestClient from,
            RelayTestClient to) throws Exception {
        fromRelay.await(() -> from.isPublisherConnected(), 15_000, from.name() + " did not connect");
        toRelay.await(() -> to.isSubscriberConnected(), 15_000, to.name() + " did not connect");
        ReceivedPacket first = null;
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (first == null && System.nanoTime() < deadline) {
            from.sendVideoFrame("warm-up".getBytes(StandardCharsets.US_ASCII));
            first = poll(fromRelay, toRelay, to, 50);
        }
        assertNotNull(first, "no video of " + from.name() + " crossed the link to " + to.name());
        while (poll(fromRelay, toRelay, to, 300) != null) {
            // the warm-up frames still on their way
        }
    }
}
