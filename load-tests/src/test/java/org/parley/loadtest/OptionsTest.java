package org.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void readsTypedValuesInBothSpellings() {
        Options o = Options.parse("calls", "--rate", "12.5", "--talk=2s", "--pairs", "7", "--bitrate", "1.5M", "--flag");
        assertEquals("calls", o.scenario());
        assertEquals(12.5, o.number("rate", 1, 0, 100));
        assertEquals(Duration.ofSeconds(2), o.duration("talk", Duration.ZERO));
        assertEquals(7, o.integer("pairs", 1, 1, 10));
        assertEquals(1_500_000, o.bitrate("bitrate", 0));
        assertTrue(o.flag("flag"));
        assertEquals(3, o.integer("absent", 3, 1, 10));
        o.rejectUnknown();
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(500), Options.parseDuration("500ms"));
        assertEquals(Duration.ofSeconds(30), Options.parseDuration("30s"));
        assertEquals(Duration.ofSeconds(30), Options.parseDuration("30"));
        assertEquals(Duration.ofMinutes(2), Options.parseDuration("2m"));
        assertEquals(Duration.ofMinutes(90), Options.parseDuration("1.5h"));
        assertEquals(null, Options.parseDuration("soon"));
        assertEquals("500 ms", Options.human(Duration.ofMillis(500)));
        assertEquals("30 s", Options.human(Duration.ofSeconds(30)));
        assertEquals("1.5 s", Options.human(Duration.ofMillis(1500)));
        assertEquals("2 min", Options.human(Duration.ofMinutes(2)));
        assertEquals("1 h 30 min", Options.human(Duration.ofMinutes(90)));
        assertEquals("1 min 5 s", Options.human(Duration.ofSeconds(65)));
    }

    @Test
    void errorsNameTheOption() {
        assertEquals("--rate: not a number: fast",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("calls", "--rate", "fast")
                        .number("rate", 1, 0, 10)).getMessage());
        assertEquals("--pairs: 0 is outside 1..10",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("calls", "--pairs", "0")
                        .integer("pairs", 1, 1, 10)).getMessage());
        assertEquals("--url is required",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("calls").required("url")).getMessage());
        assertEquals("--talk: not a duration (30s, 500ms, 2m): later",
                assertThrows(IllegalArgumentException.class, () -> Options.parse("calls", "--talk", "later")
                        .duration("talk", Duration.ZERO)).getMessage());
    }

    @Test
    void unknownAndRepeatedOptionsAreRejected() {
        Options o = Options.parse("calls", "--rate", "1", "--raet", "2");
        o.number("rate", 1, 0, 10);
        assertEquals("unknown option(s) for calls: --raet",
                assertThrows(IllegalArgumentException.class, o::rejectUnknown).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Options.parse("calls", "--rate", "1", "--rate", "2"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("--rate", "1"));
        // only --url may repeat (the nodes of a cluster)
        assertEquals(java.util.List.of("ws://a/ws", "ws://b/ws"),
                Options.parse("calls", "--url", "ws://a/ws", "--url=ws://b/ws").all("url"));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("calls", "rate"));
    }

    @Test
    void theSecretNeverReachesTheReport() {
        Options o = Options.parse("calls", "--secret", "very-secret-value", "--rate", "1");
        assertEquals("***", o.given().get("secret"));
        assertEquals("1", o.given().get("rate"));
    }

    @Test
    void usageErrorsExitWithTwoAndRunNothing() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream ps = new java.io.PrintStream(err, true);
        assertEquals(2, LoadTestMain.run(new String[] {"calls", "--url", "http://127.0.0.1:1/ws", "--secret", "s"},
                ps, ps));
        assertTrue(err.toString().contains("--url: must start with ws:// or wss://"), err.toString());
        assertEquals(2, LoadTestMain.run(new String[] {"stampede", "--url", "ws://127.0.0.1:1/ws"}, ps, ps));
        assertTrue(err.toString().contains("unknown scenario 'stampede'"), err.toString());
        assertEquals(2, LoadTestMain.run(new String[] {"calls", "--url", "ws://127.0.0.1:1/ws", "--secret", "s",
            "--rtae", "3"}, ps, ps));
        assertTrue(err.toString().contains("unknown option(s) for calls: --rtae"), err.toString());
    }
}
