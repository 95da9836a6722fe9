package org.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conference --e2ee} against the server jar: three members exchange sender keys through
 * signaling, encrypt every frame (SFrame) before it goes through the relay and open every frame
 * they receive; every stream arrives decrypted, and the report says no frame failed to open.
 */
class ConferenceE2eeIT {

    @Test
    void threeMembersOpenEveryFrameOfAnEncryptedConference(@TempDir Path dir) throws Exception {
        try (ServerUnderTest server = ServerUnderTest.start(dir)) {
            Path out = dir.resolve("conference-e2ee");
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(log, true, StandardCharsets.UTF_8);
            int exit = LoadTestMain.run(new String[] {"conference", "--url", server.wsUrl(),
                "--secret", ServerUnderTest.SECRET, "--participants", "3", "--video-bitrate", "200k",
                "--join-rate", "5", "--e2ee", "--duration", "8s", "--out", out.toString()}, ps, ps);
            String output = log.toString(StandardCharsets.UTF_8);
            assertEquals(0, exit, output + "\nserver:\n" + server.output());
            JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
            JsonNode summary = r.path("scenarioSummary");
            assertEquals(3, summary.path("participants joined").asInt(), output);
            // 3 senders x 2 other members x (audio + video), each counted only once it decrypted
            assertEquals(12, summary.path("streams received").asInt(), output);
            assertTrue(summary.path("E2EE frames decrypted").asLong() > 500, "frames opened: " + summary);
            assertEquals(0, summary.path("E2EE decrypt failures").asLong(), "no frame failed to open: " + summary);
            // A frame can overtake its key at a switch when signaling is slower than the sender's
            // 300 ms switch delay (a loaded machine); only a few, never a stream's worth.
            long ahead = summary.path("E2EE frames ahead of their key").asLong(-1);
            assertTrue(ahead >= 0 && ahead * 20 < summary.path("E2EE frames decrypted").asLong(), "frames ahead of their key: " + summary);
            assertEquals(0, summary.path("E2EE key message errors").asLong(), summary.toString());
            assertEquals(0, r.path("totals").path("errors").asLong(), output);
            String report = Files.readString(out.resolve("report.html"), StandardCharsets.UTF_8);
            assertTrue(report.contains("E2EE decrypt failures"), "the report shows the decrypt failures");
        }
    }
}
