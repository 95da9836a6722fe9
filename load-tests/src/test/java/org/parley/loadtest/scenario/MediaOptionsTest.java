package org.parley.loadtest.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.parley.loadtest.Options;

class MediaOptionsTest {

    @Test
    void keyframesEveryThreeSecondsUnlessToldOtherwise() {
        assertEquals(Duration.ofSeconds(3), new MediaOptions(Options.parse("conference")).keyframeInterval);
        assertEquals(Duration.ofSeconds(2),
                new MediaOptions(Options.parse("conference", "--keyframe-interval", "2s")).keyframeInterval);
        assertEquals(Duration.ZERO, new MediaOptions(Options.parse("conference", "--keyframe-interval", "0")).keyframeInterval);
        String e = assertThrows(IllegalArgumentException.class,
                () -> new MediaOptions(Options.parse("conference", "--keyframe-interval", "10ms"))).getMessage();
        assertTrue(e.startsWith("--keyframe-interval"), e);
    }

    @Test
    void callsWithAudioOnlyRefuseVideoOptions() {
        Options o = Options.parse("calls", "--media", "audio", "--video-bitrate", "500k");
        new CallsScenario(o);
        String e = assertThrows(IllegalArgumentException.class, o::rejectUnknown).getMessage();
        assertTrue(e.contains("--video-bitrate"), e);
        Options none = Options.parse("calls", "--audio-bitrate", "64k");
        new CallsScenario(none);
        assertThrows(IllegalArgumentException.class, none::rejectUnknown, "no media, no media options");
        String bad = assertThrows(IllegalArgumentException.class,
                () -> new CallsScenario(Options.parse("calls", "--media", "screen"))).getMessage();
        assertTrue(bad.startsWith("--media: none, audio or video"), bad);
    }

    @Test
    void screenShareIsAFewLargeFramesASecond() {
        ConferenceScenario c = new ConferenceScenario(Options.parse("conference", "--screen-sharers", "1"));
        // 250 kbit/s = 31,250 bytes/s: 5 frames of 6,250 bytes do not fit one packet each.
        assertEquals(29, c.screenShape()[0]);
        assertEquals(31_250 / 29, c.screenShape()[1]);
        assertThrows(IllegalArgumentException.class,
                () -> new ConferenceScenario(Options.parse("conference", "--participants", "3", "--screen-sharers", "4")));
    }

    @Test
    void simulcastSendsThreeLayersOfTheVideoBitrate() {
        MediaOptions m = new MediaOptions(Options.parse("conference", "--simulcast", "--video-bitrate", "1.5M"));
        assertTrue(m.simulcast);
        int[][] shapes = m.simulcastShapes();
        assertEquals(3, shapes.length);
        // 150k, 500k, 1.5M: the lowest fits a frame a packet at 30 fps, the others need more packets
        assertEquals(30, shapes[0][0]);
        assertEquals(150_000 / 8 / 30, shapes[0][1]);
        assertEquals(57, shapes[1][0], "62,500 bytes/s in packets of at most 1100 bytes");
        assertEquals(171, shapes[2][0], "187,500 bytes/s in packets of at most 1100 bytes");
        assertTrue(!new MediaOptions(Options.parse("conference")).simulcast, "off unless asked");
    }

    @Test
    void simulcastAndCappedReceiversRefuseWhatCannotWork() {
        String noVideo = assertThrows(IllegalArgumentException.class, () -> new MediaOptions(
                Options.parse("conference", "--simulcast", "--video-bitrate", "0"))).getMessage();
        assertTrue(noVideo.startsWith("--simulcast"), noVideo);
        String screen = assertThrows(IllegalArgumentException.class, () -> new ConferenceScenario(
                Options.parse("conference", "--simulcast", "--screen-sharers", "1"))).getMessage();
        assertTrue(screen.startsWith("--simulcast"), screen);
        String uncapped = assertThrows(IllegalArgumentException.class, () -> new ConferenceScenario(
                Options.parse("conference", "--capped-receivers", "1"))).getMessage();
        assertTrue(uncapped.startsWith("--capped-receivers: needs --receiver-bandwidth"), uncapped);
        assertThrows(IllegalArgumentException.class, () -> new ConferenceScenario(Options.parse("conference",
                "--participants", "3", "--receiver-bandwidth", "400", "--capped-receivers", "4")));
        new ConferenceScenario(Options.parse("conference", "--receiver-bandwidth", "400", "--capped-receivers", "1"));
    }
}
