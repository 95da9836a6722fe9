package org.parley.loadtest.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.parley.loadtest.Options;

class MediaPayloadTest {

    @Test
    void roundTripsAtTheStartAndAfterAVp8Descriptor() {
        byte[] audio = new byte[80];
        long sent = 0x0123_4567_89AB_CDEFL;
        MediaPayload.write(audio, sent, 42, 7, MediaKind.AUDIO);
        assertEquals(0, MediaPayload.find(audio));
        assertEquals(sent, MediaPayload.sendNanos(audio, 0));
        assertEquals(7, MediaPayload.sender(audio, 0));
        assertEquals(MediaKind.AUDIO, MediaPayload.kind(audio, 0));

        byte[] video = new byte[2 + 100];
        byte[] inner = new byte[100];
        MediaPayload.write(inner, -5L, 1, 3, MediaKind.SCREEN);
        video[0] = 0x10;
        System.arraycopy(inner, 0, video, 2, inner.length);
        assertEquals(2, MediaPayload.find(video));
        assertEquals(-5L, MediaPayload.sendNanos(video, 2));
        assertEquals(3, MediaPayload.sender(video, 2));
        assertEquals(MediaKind.SCREEN, MediaPayload.kind(video, 2));
    }

    @Test
    void aSimulcastPayloadNamesItsLayerAndIsFoundAfterAKeyFrameHeader() {
        byte[] inner = new byte[60];
        MediaPayload.write(inner, 9L, 5, 10_002, MediaKind.VIDEO, 2);
        // VP8 payload descriptor (1 byte), then a key frame's tag, start code and size (10 bytes)
        byte[] key = new byte[11 + inner.length];
        System.arraycopy(inner, 0, key, 11, inner.length);
        assertEquals(11, MediaPayload.find(key));
        assertEquals(MediaKind.VIDEO, MediaPayload.kind(key, 11));
        assertEquals(2, MediaPayload.layer(key, 11));
        assertEquals(10_002, MediaPayload.sender(key, 11));
        MediaPayload.write(inner, 9L, 6, 1, MediaKind.VIDEO, 0);
        assertEquals(0, MediaPayload.layer(inner, 0));
        MediaPayload.write(inner, 9L, 7, 1, MediaKind.VIDEO);
        assertEquals(-1, MediaPayload.layer(inner, 0), "not simulcast");
        assertEquals(MediaKind.VIDEO, MediaPayload.kind(inner, 0));
    }

    @Test
    void foreignPayloadsAreNotOurs() {
        assertEquals(-1, MediaPayload.find(new byte[40]));
        assertEquals(-1, MediaPayload.find(new byte[5]), "too short");
    }

    @Test
    void videoBitrateBecomesFramesOrMorePackets() {
        MediaOptions low = new MediaOptions(Options.parse("conference", "--video-bitrate", "240k"));
        assertArrayEquals(new int[] {30, 1000}, low.videoShape(), "30 fps of 1000 bytes");
        MediaOptions high = new MediaOptions(Options.parse("conference", "--video-bitrate", "1.2M"));
        int[] shape = high.videoShape();
        assertEquals(137, shape[0], "150000 bytes/s in packets of at most 1100 bytes");
        assertEquals(1_200_000 / 8 / 137, shape[1]);
        MediaOptions off = new MediaOptions(Options.parse("conference", "--video-bitrate", "0"));
        assertArrayEquals(new int[] {0, 0}, off.videoShape());
        assertEquals(80, low.audioBytes(), "32 kbit/s in 50 packets a second");
    }

    @Test
    void expectedStreamsCountEveryOtherSenderAndKind() {
        ConferenceScenario c = new ConferenceScenario(Options.parse("conference", "--participants", "4", "--senders", "2"));
        assertEquals(0, c.expectedStreams(), "no room started yet");
    }
}
