package org.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parley.signaling.auth.Role;
import org.parley.signaling.client.SignalingClient;

/**
 * Members who only listen, over more than the relay's 30 s endpoint timeout, against the server
 * jar with its default settings: one sender (p0) and two listeners (p1, p2) in a 45 s
 * conference. p1 must receive the sender's audio and video for the whole run (a simulated member
 * keeps its transport alive with RTCP receiver reports, as a browser does; without them the relay
 * expired it after 30 s while the report still said 0 % loss). Some 35 s in, a moderator removes
 * p2, so its streams really stop while the sender goes on: that must show as p2's loss, in the
 * run's loss, and break {@code --max-loss}, so the run exits 99.
 */
class ListenOnlyMemberIT {

    private static final Pattern RUN_ID = Pattern.compile("run id (lt[0-9a-z]+)");

    @Test
    void aListenerKeepsItsMediaPastTheRelayTimeoutAndAStreamThatStopsIsLoss(@TempDir Path dir) throws Exception {
        try (ServerUnderTest server = ServerUnderTest.start(dir)) {
            Path out = dir.resolve("conference");
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> LoadTestMain.run(new String[] {
                "conference", "--url", server.wsUrl(), "--secret", ServerUnderTest.SECRET, "--participants", "3",
                "--senders", "1", "--video-bitrate", "100k", "--fps", "15", "--duration", "45s",
                "--max-loss", "1%", "--min-streams", "100%", "--out", out.toString()}, ps, ps));

            String runId = awaitLog(log, RUN_ID, run).group(1);
            awaitLog(log, Pattern.compile("load in place after"), run);
            long removeAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(35);
            while (System.nanoTime() < removeAt && !run.isDone()) {
                Thread.sleep(200); // the removal is due at a point of the run, not on a condition
            }
            removeFromRoom(server, runId + "-room0", runId + "-room0-p2");

            int exit = run.get(3, TimeUnit.MINUTES);
            String output = log.toString(StandardCharsets.UTF_8);
            System.out.println(output);
            assertEquals(99, exit, "--max-loss broken by p2's stopped streams: exit 99\n" + output);

            JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
            JsonNode p1 = member(r, runId + "-room0-p1");
            JsonNode p2 = member(r, runId + "-room0-p2");
            assertEquals(2, p1.path("streamsReceived").asInt(), "p1 got the sender's audio and video\n" + output);
            // 45 s of 50 audio + 15 video packets a second: p1 heard the sender for the whole run.
            assertTrue(p1.path("packetsExpected").asLong() > 45 * 65, "p1 packets expected: " + p1);
            assertTrue(p1.path("lossPercent").asDouble() < 1, "p1 kept its media past the relay's 30 s timeout: " + p1
                    + "\n" + output);
            assertTrue(p2.path("lossPercent").asDouble() > 5, "p2's streams stopped ~10 s before the end: " + p2);
            assertTrue(r.path("lossPercent").asDouble() > 1, "the run's loss counts p2's: " + r.path("lossPercent"));
            JsonNode lossThreshold = r.path("thresholds").get(0);
            assertEquals("--max-loss", lossThreshold.path("option").asText());
            assertFalse(lossThreshold.path("passed").asBoolean(), lossThreshold.toString());
            assertTrue(r.path("thresholds").get(1).path("passed").asBoolean(), "every stream arrived: " + r.path("thresholds"));
            // The last seconds: only p1 still receives, 50 audio packets a second.
            JsonNode samples = r.path("samples");
            double audioNearEnd = samples.get(samples.size() - 3).path("rates").path("packets.received.audio").asDouble();
            assertTrue(audioNearEnd > 35, "p1 still hears the audio at the end: " + audioNearEnd + " /s\n" + output);
            assertTrue(output.contains("streams flowing 4/4"), "the progress line counts flowing streams\n" + output);
            assertTrue(output.contains("FAIL --max-loss"), "the summary prints the verdict\n" + output);
            assertTrue(output.contains(runId + "-room0-p2"), "the member table names p2\n" + output);

            String html = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
            assertFalse(Pattern.compile("\\bPT\\d").matcher(html).find(), "durations in human units");
            assertFalse(Pattern.compile("<td>[^<]*[{}][^<]*</td>").matcher(html).find(), "no raw map dumps in cells");
            assertTrue(html.contains("<h2>Members</h2>") && html.contains(runId + "-room0-p1"), "member table");
            assertTrue(html.contains("<b>FAIL</b>"), "the threshold verdict in the report");
        }
    }

    private static Matcher awaitLog(ByteArrayOutputStream log, Pattern p, CompletableFuture<Integer> run)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < deadline) {
            Matcher m = p.matcher(log.toString(StandardCharsets.UTF_8));
            if (m.find()) {
                return m;
            }
            if (run.isDone()) {
                break;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + p + "' in the output:\n" + log.toString(StandardCharsets.UTF_8));
    }

    /** A moderator joins the room and removes the user, as a person running the meeting would. */
    private static void removeFromRoom(ServerUnderTest server, String room, String user) {
        Tokens tokens = new Tokens(ServerUnderTest.SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC(),
                Duration.ofMinutes(10));
        SignalingClient moderator = SignalingClient.connect(URI.create(server.wsUrl()), Duration.ofSeconds(20));
        try {
            moderator.timeout(Duration.ofSeconds(20));
            moderator.hello(tokens.room(room + "-moderator", room, Role.MODERATOR), "test");
            JsonNode joined = moderator.request("room.join", "roomId", room);
            String participantId = null;
            for (JsonNode p : joined.path("participants")) {
                if (user.equals(p.path("user").asText())) {
                    participantId = p.path("participantId").asText();
                }
            }
            assertTrue(participantId != null, user + " in the room: " + joined);
            moderator.request("room.remove", "roomId", room, "participantId", participantId);
        } finally {
            moderator.close();
        }
    }

    private static JsonNode member(JsonNode result, String user) {
        for (JsonNode m : result.path("members")) {
            if (user.equals(m.path("member").asText())) {
                return m;
            }
        }
        throw new AssertionError("no member " + user + " in " + result.path("members"));
    }
}
