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
}
