package org.parley.relay.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.parley.relay.RelayConfig;
import org.parley.relay.RelayServer;
import org.parley.relay.control.EndpointListener;
import org.parley.relay.control.PeerConnectionRole;
import org.parley.relay.control.RelayControl;

/**
 * How long a join takes in Chromium, start to first decoded frame, measured by the page itself
 * (performance.now() at each milestone): ICE connected and DTLS connected on the publisher and
 * the subscriber connection, then the first frame of the other participant's camera decoded.
 *
 * <p>The proof of the fast-join fix (docs/relay.md, "Fast joins"): none of {@value #JOINS} joins
 * may take a DTLS retransmission timeout. Chromium's first retransmission of its ClientHello comes
 * a second after the first; a DTLS handshake over loopback otherwise takes some tens of
 * milliseconds even on a loaded machine, so a gap of more than a second between ICE connected and
 * DTLS connected means the relay lost the browser's first flight. Figures go to
 * target/join-times.txt (docs/benchmarks.md).
 */
class ChromiumJoinTimeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONFERENCE = "joins";
    private static final int JOINS = Integer.getInteger("parley.join.count", 20);
    private static final double RETRANSMISSION_GAP_MS = 1000;

    /** Installed right after parley.start(): timestamps relative to window.joinT0. */
    private static final String MILESTONES = """
            const t0 = window.joinT0;
            const m = window.joinMilestones = {};
            const mark = (k) => { if (!(k in m)) m[k] = performance.now() - t0; };
            for (const [name, pc] of [['pub', parley.pub], ['sub', parley.sub]]) {
              const check = () => {
                if (pc.iceConnectionState === 'connected' || pc.iceConnectionState === 'completed') mark(name + 'Ice');
                if (pc.connectionState === 'connected') mark(name + 'Dtls');
                if (pc.connectionState === 'failed') mark(name + 'Failed');
              };
              pc.addEventListener('iceconnectionstatechange', check);
              pc.addEventListener('connectionstatechange', check);
              check();
            }
            const poll = setInterval(async () => {
              const s = await parley.sub.getStats();
              s.forEach(x => {
                if (x.type === 'inbound-rtp' && x.kind === 'video' && x.framesDecoded > 0) mark('firstFrame');
              });
              if ('firstFrame' in m) clearInterval(poll);
            }, 10);
            return 'ok';""";

    private record Peer(String id, Chromium browser, ConcurrentLinkedQueue<String> offers) {
    }

    /** One join's milestones in milliseconds after the page started joining. */
    record Join(double pubIce, double pubDtls, double subIce, double subDtls, double firstFrame) {
        double worstDtlsGap() {
            return Math.max(pubDtls - pubIce, subDtls - subIce);
        }
    }

    @Test
    @Timeout(180)
    void noJoinWaitsForADtlsRetransmission() throws Exception {
        List<Join> joins = new ArrayList<>();
        try (RelayServer relay = new RelayServer(new RelayConfig("127.0.0.1", 0, 0), new SimpleMeterRegistry(),
                        Clock.systemUTC());
                TestPageServer pages = new TestPageServer();
                Chromium senderBrowser = new Chromium();
                Chromium joinerBrowser = new Chromium()) {
            relay.start();
            RelayControl control = relay.control();
            control.createConference(CONFERENCE);
            Peer sender = join(control, pages, "sender", senderBrowser);
            for (int i = 0; i < JOINS; i++) {
                Peer joiner = join(control, pages, "joiner" + i, joinerBrowser);
                joins.add(awaitFirstFrame(control, List.of(sender, joiner)));
                control.expireEndpoint(CONFERENCE, joiner.id());
            }
        }
        String report = report(joins);
        Path out = Path.of("target", "join-times.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report);
        System.out.println(report);
        List<Join> slow = joins.stream().filter(j -> j.worstDtlsGap() > RETRANSMISSION_GAP_MS).toList();
        assertTrue(slow.isEmpty(), slow.size() + " of " + joins.size()
                + " joins waited for a DTLS retransmission (DTLS connected > 1 s after ICE connected):\n" + report);
    }

    /** Opens a fresh page, allocates the endpoint and publishes camera and microphone. */
    private static Peer join(RelayControl control, TestPageServer pages, String id, Chromium browser) {
        browser.open(pages.url("relay-client.html"));
        Peer p = new Peer(id, browser, new ConcurrentLinkedQueue<>());
        control.allocateEndpoint(CONFERENCE, id, new EndpointListener() {
            @Override
            public void onSubscriberOffer(String sdpOffer) {
                p.offers().add(sdpOffer);
            }
        });
        String offer = browser.runString("window.joinT0 = performance.now(); return parley.start(false, 320, 240, 15);");
        assertEquals("ok", browser.runString(MILESTONES));
        String answer = control.answerPublisherOffer(CONFERENCE, id, offer);
        assertEquals("ok", browser.runString("return parley.setPublisherAnswer(arguments[0]);", answer));
        return p;
    }

    /** Ferries SDP and candidates (every ~10 ms, as signaling would) until the joiner decodes a frame. */
    private static Join awaitFirstFrame(RelayControl control, List<Peer> peers) throws Exception {
        Peer joiner = peers.get(peers.size() - 1);
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode m = null;
        while (System.nanoTime() < deadline) {
            ferry(control, peers);
            m = JSON.readTree(joiner.browser().runString("return JSON.stringify(window.joinMilestones);"));
            if (m.has("firstFrame") && m.has("pubDtls")) {
                return new Join(ms(m, "pubIce"), ms(m, "pubDtls"), ms(m, "subIce"), ms(m, "subDtls"),
                        ms(m, "firstFrame"));
            }
            Thread.sleep(10);
        }
        throw new AssertionError(joiner.id() + " decoded no frame within 20 s; milestones " + m);
    }

    private static double ms(JsonNode m, String key) {
        return m.has(key) ? m.get(key).asDouble() : Double.NaN;
    }

    private static void ferry(RelayControl control, List<Peer> peers) {
        for (Peer p : peers) {
            String offer;
            while ((offer = p.offers().poll()) != null) {
                String answer = p.browser().runString("return parley.answerSubscriberOffer(arguments[0]);", offer);
                control.acceptSubscriberAnswer(CONFERENCE, p.id(), answer);
            }
            @SuppressWarnings("unchecked")
            Map<String, List<String>> candidates = (Map<String, List<String>>) p.browser()
                    .run("return parley.takeCandidates();");
            candidates.get("pub").forEach(c -> control.addRemoteCandidate(CONFERENCE, p.id(),
                    PeerConnectionRole.PUBLISHER, c));
            candidates.get("sub").forEach(c -> control.addRemoteCandidate(CONFERENCE, p.id(),
                    PeerConnectionRole.SUBSCRIBER, c));
        }
    }

    private static String report(List<Join> joins) {
        StringBuilder b = new StringBuilder("join milestones (ms after start): pubIce pubDtls subIce subDtls firstFrame\n");
        for (Join j : joins) {
            b.append(String.format("%8.0f %8.0f %8.0f %8.0f %8.0f%n", j.pubIce(), j.pubDtls(), j.subIce(), j.subDtls(),
                    j.firstFrame()));
        }
        double[] first = joins.stream().mapToDouble(Join::firstFrame).sorted().toArray();
        double[] gaps = joins.stream().mapToDouble(Join::worstDtlsGap).sorted().toArray();
        b.append(String.format("first frame p50 %.0f ms, p95 %.0f ms; DTLS after ICE (worse connection) p50 %.0f ms,"
                + " p95 %.0f ms, max %.0f ms; %d joins%n", percentile(first, 50), percentile(first, 95),
                percentile(gaps, 50), percentile(gaps, 95), gaps.length == 0 ? Double.NaN : gaps[gaps.length - 1],
                joins.size()));
        return b.toString();
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
