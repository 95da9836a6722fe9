package org.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;

/**
 * Issue 17's "in a room of six with last-N 3 each receiver gets exactly three videos": two
 * Chromiums (the web app, simulcast camera) and four Java members (signaling, ICE, DTLS, SRTP
 * through the relay's Java client) in one room on a server with {@code parley.relay.last-n = 3},
 * all publishing a camera and a microphone. Four of them speak in turn; then every one of the six
 * receives video from exactly the three most recent speakers other than itself (Chromium: inbound
 * packets, and frames decoded from the other Chromium; Java: packets per publisher), none from
 * the other two, and audio from all five. Then a silent Chromium starts speaking: it enters the
 * three of the others and the least recent speaker of their three leaves.
 */
class LastNRoomIT {

    private static final String ROOM = "six";
    private static final int LAST_N = 3;
    private static final List<String> CHROMIUMS = List.of("amy", "ben");
    /** Measuring window: at least 45 camera packets of a Java member, 90 of a Chromium. */
    private static final long WINDOW_MILLIS = 3000;
    private static final long SETTLE_MILLIS = 40_000;
    private static final int MIN_VIDEO_PACKETS = 10;
    private static final int MIN_FRAMES = 10;
    private static final int MIN_AUDIO_PACKETS = 5;

    /**
     * The page's microphone becomes a tone whose gain the test sets (window.__parleyVoice): a
     * silent track (RFC 6464 level 127) until it is told to speak. Chromium's fake microphone
     * beeps every second, which would make the relay's speaker choice random.
     */
    private static final String VOICE = "(() => {"
            + "const md = navigator.mediaDevices; const gum = md.getUserMedia.bind(md);"
            + "md.getUserMedia = async (c) => { const s = await gum(c); if (!c || !c.audio) return s;"
            + "  const ctx = new AudioContext(); const osc = ctx.createOscillator(); osc.frequency.value = 440;"
            + "  const gain = ctx.createGain(); gain.gain.value = window.__parleySpeaking ? 0.5 : 0;"
            + "  const out = ctx.createMediaStreamDestination(); osc.connect(gain).connect(out); osc.start();"
            + "  window.__parleyVoice = (on) => { window.__parleySpeaking = on; gain.gain.value = on ? 0.5 : 0;"
            + "    return ctx.state; };"
            + "  for (const t of s.getAudioTracks()) { s.removeTrack(t); t.stop(); }"
            + "  s.addTrack(out.stream.getAudioTracks()[0]); return s; };"
            + "})();";

    /**
     * What a Chromium receives, by "participantId kind": inbound-rtp packets and frames decoded,
     * the publisher read from the subscriber connection's remote description (msid per mid).
     */
    private static final String RECEIVED = "const pc = window.parleyApp.room.media.subscriber;"
            + "const owner = {}; let mid = null;"
            + "for (const l of (pc.remoteDescription ? pc.remoteDescription.sdp : '').split('\\r\\n')) {"
            + "  if (l.startsWith('m=')) mid = null; else if (l.startsWith('a=mid:')) mid = l.slice(6);"
            + "  else if (l.startsWith('a=msid:') && mid !== null) owner[mid] = l.slice(7).split(' ')[0]; }"
            + "const out = {}; (await pc.getStats()).forEach((r) => {"
            + "  if (r.type !== 'inbound-rtp' || !owner[r.mid]) return;"
            + "  const k = owner[r.mid] + ' ' + r.kind; const o = out[k] || (out[k] = {packets: 0, frames: 0});"
            + "  o.packets += r.packetsReceived || 0; o.frames += r.framesDecoded || 0; });"
            + "out.offered = Object.keys(owner).length; return out;";

    @TempDir
    Path dir;

    /** One of the six as a receiver. */
    private interface Receiver {
        String name();

        String id();

        /** Counts so far by "participantId kind" (packets) and "participantId frames". */
        Map<String, Long> counts();
    }

    @Test
    void eachOfSixGetsExactlyThreeVideosAndANewSpeakerEntersTheirThree() throws Exception {
        try (ParleyServer server = ParleyServer.start(dir, "-Dparley.relay.last-n=" + LAST_N);
                Browser amy = Browser.launch("amy", dir);
                Browser ben = Browser.launch("ben", dir)) {
            for (Browser b : List.of(amy, ben)) {
                b.beforeEachPage(VOICE).open(server.origin(), "device=" + b.name + "-laptop&room=" + ROOM)
                        .signIn(server.token(b.name, ROOM, b == amy ? Role.MODERATOR : Role.PARTICIPANT));
                b.awaitScreen("room");
            }
            List<JavaRoomMember> bots = new ArrayList<>();
            try {
                for (String n : List.of("cat", "dan", "eve", "fay")) {
                    bots.add(JavaRoomMember.join(server, n, ROOM));
                }
                List<Receiver> six = new ArrayList<>();
                Map<String, String> names = new LinkedHashMap<>();
                for (Browser b : List.of(amy, ben)) {
                    String id = (String) b.script("return window.parleyApp.room.participantId;");
                    six.add(chromium(b, id));
                    names.put(id, b.name);
                }
                for (JavaRoomMember m : bots) {
                    six.add(java(m));
                    names.put(m.participantId, m.name);
                }
                await("every member publishing and offered the five others' cameras", () -> bots.stream()
                        .allMatch(m -> m.publishing() && m.videoSourcesOffered() == 5)
                        && six.subList(0, 2).stream().allMatch(r -> r.counts().getOrDefault("offered", 0L) >= 10),
                        bots, names);

                // cat, dan, eve and fay speak in turn: the speaker history is fay, eve, dan, cat.
                List<String> history = new ArrayList<>();
                for (JavaRoomMember m : bots) {
                    m.speak(true);
                    awaitSpeaker(bots, m.participantId, names);
                    m.speak(false);
                    history.add(0, m.participantId);
                }
                long settled = awaitExactlyTheLastSpeakers(six, history, names, bots);
                System.out.printf("last-N %d: all six got their three after %d ms%n", LAST_N, settled);

                // amy, silent until now, speaks: she enters the three of the five others, and the
                // least recent speaker of each one's three leaves it.
                Object state = amy.script("return window.__parleyVoice(true);");
                assertEquals("running", state, "amy's microphone tone plays");
                awaitSpeaker(bots, six.get(0).id(), names);
                history.add(0, six.get(0).id());
                long entered = awaitExactlyTheLastSpeakers(six, history, names, bots);
                System.out.printf("last-N %d: amy in everyone's three %d ms after the relay named her%n", LAST_N,
                        entered);
                for (JavaRoomMember m : bots) {
                    assertNull(m.failure(), m.name);
                }
            } finally {
                bots.forEach(JavaRoomMember::close);
            }
        }
    }

    /**
     * Measures windows until every receiver gets video from exactly its expected three (bounded),
     * then asserts it over one more window; returns the milliseconds it took to settle.
     */
    private static long awaitExactlyTheLastSpeakers(List<Receiver> six, List<String> history,
            Map<String, String> names, List<JavaRoomMember> bots) {
        long start = System.nanoTime();
        long deadline = start + SETTLE_MILLIS * 1_000_000L;
        List<String> mismatches = List.of("not measured");
        while (!mismatches.isEmpty() && System.nanoTime() < deadline) {
            mismatches = window(six, history, names);
        }
        long settled = (System.nanoTime() - start) / 1_000_000;
        assertEquals(List.of(), mismatches, "not settled within " + SETTLE_MILLIS + " ms; speakers " + named(history, names));
        assertEquals(List.of(), window(six, history, names), "exactly three videos each, once more");
        for (JavaRoomMember m : bots) {
            assertNull(m.failure(), m.name);
        }
        return settled;
    }

    /** One window: what each receiver got against its expected three; empty when all match. */
    private static List<String> window(List<Receiver> six, List<String> history, Map<String, String> names) {
        List<Map<String, Long>> before = six.stream().map(Receiver::counts).toList();
        Browser.sleep(WINDOW_MILLIS);
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < six.size(); i++) {
            Receiver r = six.get(i);
            Map<String, Long> now = r.counts();
            Map<String, Long> was = before.get(i);
            Set<String> expected = new LinkedHashSet<>();
            history.stream().filter(id -> !id.equals(r.id())).limit(LAST_N).forEach(expected::add);
            Map<String, String> got = new LinkedHashMap<>();
            boolean ok = true;
            for (String p : names.keySet()) {
                if (p.equals(r.id())) {
                    continue;
                }
                long video = delta(now, was, p + " video");
                long audio = delta(now, was, p + " audio");
                long frames = delta(now, was, p + " frames");
                got.put(names.get(p), "video " + video + (frames > 0 ? " (" + frames + " frames)" : "") + ", audio " + audio);
                // a Chromium decodes the other Chromium's VP8; the Java members' frames are not real VP8
                boolean framesExpected = r instanceof ChromiumReceiver && CHROMIUMS.contains(names.get(p));
                ok &= expected.contains(p) ? video >= MIN_VIDEO_PACKETS && (!framesExpected || frames >= MIN_FRAMES)
                        : video == 0;
                ok &= audio >= MIN_AUDIO_PACKETS;
            }
            if (!ok) {
                wrong.add(r.name() + " expected video of " + named(List.copyOf(expected), names) + " got " + got);
            }
        }
        return wrong;
    }

    private static long delta(Map<String, Long> now, Map<String, Long> was, String key) {
        return now.getOrDefault(key, 0L) - was.getOrDefault(key, 0L);
    }

    private static List<String> named(List<String> ids, Map<String, String> names) {
        return ids.stream().map(id -> names.getOrDefault(id, id)).toList();
    }

    private static void awaitSpeaker(List<JavaRoomMember> bots, String id, Map<String, String> names) {
        await("the relay names " + names.get(id) + " the active speaker", () -> bots.stream()
                .anyMatch(m -> !m.speakers.isEmpty() && m.speakers.get(m.speakers.size() - 1).equals(id)), bots, names);
    }

    private static void await(String what, Supplier<Boolean> condition, List<JavaRoomMember> bots,
            Map<String, String> names) {
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
        while (!condition.get()) {
            assertTrue(System.nanoTime() < deadline, () -> "timed out waiting until " + what + "; speaker events "
                    + bots.stream().map(m -> m.name + " " + named(m.speakers, names) + " " + m.failure()).toList());
            Browser.sleep(50);
        }
    }

    private static Receiver chromium(Browser b, String id) {
        return new ChromiumReceiver(b, id);
    }

    private static Receiver java(JavaRoomMember m) {
        return new Receiver() {
            @Override
            public String name() {
                return m.name;
            }

            @Override
            public String id() {
                return m.participantId;
            }

            @Override
            public Map<String, Long> counts() {
                return m.received();
            }
        };
    }

    private record ChromiumReceiver(Browser browser, String id) implements Receiver {
        @Override
        public String name() {
            return browser.name;
        }

        @Override
        public Map<String, Long> counts() {
            Map<String, Long> out = new LinkedHashMap<>();
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) browser.async(RECEIVED);
            m.forEach((k, v) -> {
                if (v instanceof Map<?, ?> stats) {
                    out.put(k, ((Number) stats.get("packets")).longValue());
                    if (k.endsWith(" video")) {
                        out.put(k.substring(0, k.length() - 6) + " frames", ((Number) stats.get("frames")).longValue());
                    }
                } else {
                    out.put(k, ((Number) v).longValue());
                }
            });
            return out;
        }
    }
}
