package org.parley.loadtest.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StreamReceptionTest {

    @Test
    void aSimulcastCameraIsCountedByTheRelaysSequenceNumbersAlone() {
        SentStream camera = new SentStream();
        for (int i = 0; i < 300; i++) {
            camera.next(); // three layers' packets, of which a receiver gets one layer
        }
        camera.settleAll();
        StreamReception layers = new StreamReception(camera, false);
        for (int seq = 65_530; seq < 65_530 + 100; seq++) {
            if (seq != 65_540) {
                layers.onPacket(seq & 0xFFFF, seq, seq);
            }
        }
        assertEquals(100, layers.expected(), "from the relay's numbers, across their wrap");
        assertEquals(1, layers.lost(), "the one gap; not the other layers' packets");

        StreamReception plain = new StreamReception(camera, true);
        for (int counter = 0; counter < 100; counter++) {
            plain.onPacket(counter, counter, counter);
        }
        assertEquals(200, plain.lost(), "a stream that stopped while its sender went on");
    }

    @Test
    void aGapNearTheNewestIsInRepairUntilFilledAndAClosedReceptionKeepsItsFigures() {
        SentStream audio = new SentStream();
        for (int i = 0; i < 400; i++) {
            audio.next();
        }
        audio.settleAll();
        StreamReception r = new StreamReception(audio, true);
        for (int counter = 0; counter < 400; counter++) {
            if (counter != 10 && counter != 395) {
                r.onPacket(counter, counter, counter);
            }
        }
        assertEquals(2, r.lost());
        assertEquals(1, r.gapsInRepair(), "395 may still come; 10 is too far back to wait for");
        r.onPacket(395, 401, 395);
        assertEquals(0, r.gapsInRepair());
        assertEquals(1, r.lost());

        r.close();
        r.onPacket(10, 402, 10);
        assertEquals(1, r.lost(), "what was reported at the close stays");
    }
}
